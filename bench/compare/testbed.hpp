// The testbed a run was measured on, from its manifest, and the baselines recorded for
// it: results/baselines/<fingerprint>.json. Absolute times only compare within one
// testbed; a kernel update or another accelerator makes a new testbed on purpose, so
// that a baseline never silently goes stale.
#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "runtimes/common/error.hpp"

namespace isobench::compare {

struct Testbed {
  std::string cpu_model;    // "AMD EPYC 7B13"
  long long cpu_count = 0;  // online CPUs
  std::string kernel;       // uname -r
  std::string cgroup_mode;  // v1, v2, hybrid
  std::string accelerator;  // what the vm backend used: kvm, tcg, or none

  bool operator==(const Testbed&) const = default;
};

// From a results file's `context` (environment_manifest's keys; Google Benchmark's
// num_cpus stands in for cpu_count). The accelerator is the vm backend's `accelerator`
// (or `accel`), else the qemu backend's, else "none" when neither backend ran here.
// Fails when the manifest lacks the CPU model, kernel or cgroup mode.
Result<Testbed> testbed_of(const nlohmann::json& context);

// A file name made of the testbed's facts, lower case, [a-z0-9.-] and `_` between facts:
// "amd-epyc-7b13_2cpu_6.1.0-18-amd64_hybrid_tcg".
std::string fingerprint(const Testbed& testbed);

// "AMD EPYC 7B13, 2 CPUs, kernel 6.1.0-18-amd64, cgroup hybrid, accelerator tcg"
std::string describe(const Testbed& testbed);

// `dir`/<fingerprint>.json, or an error that names the fingerprint and says how to
// record a baseline.
Result<std::filesystem::path> find_baseline(const std::filesystem::path& dir, const Testbed& testbed);

}  // namespace isobench::compare
