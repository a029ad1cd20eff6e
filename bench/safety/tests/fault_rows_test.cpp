// Faults through the real `bench` (issue 11, item 3): each fault becomes a failed row (or,
// for a missing prerequisite, exit 2 with one line) whose reason names it, the rows that
// do not depend on it still run in the same invocation, and nothing of the run remains.
// Root: cgroups, the container backend's OOM, QEMU. Guest rows need the cached kernel.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "common/tests/temp_dir.hpp"
#include "leftovers.hpp"
#include "run_bench.hpp"

namespace isobench::safety::testing {
namespace {

namespace fs = std::filesystem;
using isobench::testing::TempDir;

const fs::path kCachedKernel = "/var/lib/isobench/guest-kernel/vmlinuz";

struct SuiteRun {
  BenchRun bench;
  nlohmann::json results;
  // run_name -> error_message of its iteration row ("" when it ran fine).
  std::map<std::string, std::string> rows;

  bool ran_ok(const std::string& name) const {
    auto it = rows.find(name);
    return it != rows.end() && it->second.empty();
  }
  std::string error_of(const std::string& name) const {
    auto it = rows.find(name);
    return it == rows.end() ? "<no row " + name + ">" : it->second;
  }
};

SuiteRun run_suites(std::vector<std::string> args, const BenchStart& how = {}) {
  TempDir out("isobench-faulttest-");
  args.insert(args.end(), {"--repetitions", "1", "--out", (out.path() / "run").string()});
  SuiteRun run;
  run.bench = run_bench(args, how);
  std::ifstream in(out.path() / "run" / "results.json");
  if (in) run.results = nlohmann::json::parse(in, nullptr, false);
  if (run.results.is_object())
    for (const auto& row : run.results["benchmarks"])
      if (row.value("run_type", "") == "iteration")
        run.rows[row.value("run_name", "")] =
            row.value("error_occurred", false) ? row.value("error_message", "<no message>") : "";
  return run;
}

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

void expect_contains(const std::string& text, const std::string& part) {
  EXPECT_NE(text.find(part), std::string::npos) << "`" << part << "` not in: " << text;
}

// The run's own leak audit found nothing, and nothing it named is left on the host.
void expect_clean(const SuiteRun& run) {
  EXPECT_EQ(run.bench.err.find("leak:"), std::string::npos) << run.bench.err;
  if (run.results.is_object()) {
    EXPECT_TRUE(run.results["context"].value("leaks", nlohmann::json::array()).empty());
  }
  expect_nothing_left_by(run.bench.pid);
}

TEST(FaultRows, CrashHangAndOomAreFailedRowsWhileTheRunGoesOn) {
  if (::geteuid() != 0) GTEST_SKIP() << "the container backend's cgroups (OOM) need root";
  const bool guest = fs::exists(kCachedKernel);
  std::string backends = guest ? "bare,container,qemu" : "bare,container";
  auto run = run_suites({"--backend", backends, "--suite", "faults,startup"});
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.bench.err;
  EXPECT_EQ(run.bench.exit_code, 1) << "failed rows make the run exit 1: " << run.bench.err;

  expect_contains(run.error_of("faults/bare/crash"), "signal 11");
  expect_contains(run.error_of("faults/container/crash"), "signal 11");
  expect_contains(run.error_of("faults/bare/hang"), "timeout");
  expect_contains(run.error_of("faults/container/hang"), "timeout");
  expect_contains(run.error_of("faults/container/oom"), "out of memory");
  // The rows beside the faults (interleaved with them in random order) still ran.
  EXPECT_TRUE(run.ran_ok("startup/bare/noop")) << run.error_of("startup/bare/noop");
  EXPECT_TRUE(run.ran_ok("startup/container/noop")) << run.error_of("startup/container/noop");
  if (guest) {
    // As the guest's /init the crash kills init: the guest kernel panics (panic=-1 ends it).
    expect_contains(run.error_of("faults/qemu/crash"), "panic");
    expect_contains(run.error_of("faults/qemu/hang"), "timeout");
    EXPECT_TRUE(run.ran_ok("startup/qemu/noop")) << run.error_of("startup/qemu/noop");
  }
  expect_clean(run);
}

TEST(FaultRows, FailingOciRuntimeFailsItsRowsOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "the OCI backends need root";
  // A `crun` first on PATH that answers --version and fails every container.
  TempDir bin("isobench-faulttest-bin-");
  ::chmod(bin.path().c_str(), 0755);
  {
    std::ofstream script(bin.path() / "crun");
    script << "#!/bin/sh\n"
              "case \"$1\" in --version) echo 'crun version 9.9.9'; exit 0;; esac\n"
              "echo 'crun: simulated runtime failure' >&2\nexit 1\n";
  }
  ::chmod((bin.path() / "crun").c_str(), 0755);
  std::string path = bin.path().string() + ":" + (std::getenv("PATH") ? std::getenv("PATH") : "/usr/bin:/bin");
  BenchStart how;
  how.env = {{"PATH", path}};
  auto run = run_suites({"--backend", "crun,bare", "--suite", "startup"}, how);
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.bench.err;
  // A backend that cannot run here is not a failed benchmark (README): exit 0.
  EXPECT_EQ(run.bench.exit_code, 0) << run.bench.err;
  expect_contains(run.error_of("startup/crun/noop"), "simulated runtime failure");
  EXPECT_TRUE(run.ran_ok("startup/bare/noop")) << run.error_of("startup/bare/noop");
  expect_clean(run);
}

// A --libvirt-uri the user named and that cannot be opened is bad input, not a backend that
// cannot run here (issue 21: one line, exit 2): refused before any row, no results written.
TEST(FaultRows, UnreachableLibvirtUriIsRefusedBeforeAnyRow) {
  if (::geteuid() != 0) GTEST_SKIP() << "the vm backend needs root here";
  if (!fs::exists(kCachedKernel)) GTEST_SKIP() << "no guest kernel (scripts/bench fetches it)";
  auto run = run_suites({"--backend", "vm,bare", "--suite", "startup", "--libvirt-uri",
                         "qemu+unix:///system?socket=/nonexistent/isobench-faulttest-libvirt-sock"});
  EXPECT_EQ(run.bench.exit_code, 2) << run.bench.err;
  EXPECT_FALSE(run.results.is_object()) << "a results.json was written for a refused run";
  expect_contains(run.bench.err, "--libvirt-uri");
  expect_contains(run.bench.err, "isobench-faulttest-libvirt-sock");
  EXPECT_EQ(lines(run.bench.err), 1u) << run.bench.err;
  expect_clean(run);
}

TEST(FaultRows, CorruptGuestKernelFailsGuestRowsOnly) {
  if (::geteuid() != 0) GTEST_SKIP() << "the guest backends need root here";
  TempDir dir("isobench-faulttest-kernel-");
  {
    std::ofstream garbage(dir.path() / "vmlinuz", std::ios::binary);
    for (int i = 0; i < 70000; ++i) garbage.put(static_cast<char>((i * 131 + 7) & 0xff));
  }
  auto run = run_suites({"--backend", "vm,qemu,bare", "--suite", "startup", "--guest-kernel",
                         (dir.path() / "vmlinuz").string()});
  ASSERT_TRUE(run.results.is_object()) << "no results.json: " << run.bench.err;
  // A backend that cannot run here is not a failed benchmark (README): exit 0.
  EXPECT_EQ(run.bench.exit_code, 0) << run.bench.err;
  expect_contains(run.error_of("startup/vm/noop"), "not a Linux bzImage");
  expect_contains(run.error_of("startup/qemu/noop"), "not a Linux bzImage");
  EXPECT_TRUE(run.ran_ok("startup/bare/noop")) << run.error_of("startup/bare/noop");
  expect_clean(run);
}

// A missing guest kernel (exit 2, one line) is in bad_input_test.cpp.

TEST(FaultRows, GuestThatNeverBootsTimesOutAndLeavesNoQemu) {
  if (::geteuid() != 0) GTEST_SKIP() << "the qemu backend needs root here";
  if (!fs::exists(kCachedKernel)) GTEST_SKIP() << "no guest kernel (scripts/bench fetches it)";
  // A real kernel whose boot header is intact (it passes validation) but whose
  // compressed payload is zeroed: the decompressor halts, the guest never boots.
  TempDir dir("isobench-faulttest-kernel-");
  fs::path corrupt = dir.path() / "vmlinuz";
  fs::copy_file(fs::canonical(kCachedKernel), corrupt);
  {
    std::fstream file(corrupt, std::ios::in | std::ios::out | std::ios::binary);
    auto size = static_cast<std::streamoff>(fs::file_size(corrupt));
    file.seekp(size / 4);
    std::string zeros(static_cast<std::size_t>(size / 2), '\0');
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  auto start = std::chrono::steady_clock::now();
  auto run = run_bench({"run", "--backend", "qemu", "--guest-kernel", corrupt.string(), "--timeout", "8", "noop"});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(lines(run.err), 1u) << run.err;
  EXPECT_TRUE(run.err.find("timeout") != std::string::npos || run.err.find("before ready") != std::string::npos)
      << run.err;
  EXPECT_LT(seconds, 30.0);
  expect_nothing_left_by(run.pid);
}

}  // namespace
}  // namespace isobench::safety::testing
