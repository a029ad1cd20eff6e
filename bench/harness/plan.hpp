// The set of benchmarks one `bench` invocation runs, registered with Google Benchmark at
// run time as SUITE/BACKEND/WORKLOAD[/ARG], manual time, one iteration per repetition.
#pragma once

#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "backend_set.hpp"
#include "lifecycle.hpp"
#include "run_timings.hpp"

namespace isobench {

struct BenchmarkSpec {
  std::string name;
  int repetitions = 1;
  std::function<void(benchmark::State&)> body;
  // The unit of the row's times: ns for figures per operation (syscall/*/getpid).
  benchmark::TimeUnit unit = benchmark::kMillisecond;
  // A guess at one repetition's wall time, for the progress estimate on a terminal; 0:
  // Plan::add guesses from the backend's kind.
  double estimate_s = 0;
  bool estimate_measured = false;  // estimate_s is the last run's figure (run_timings.hpp)
};

// `bench ab` runs each side's repetitions in K interleaved slices: slice I of K gets its
// share of every benchmark's repetitions (bench/cli/ab_command.cpp).
struct RepetitionSlice {
  int index = 0;  // 0 .. count - 1
  int count = 1;
};
// Slice `slice`'s share of `total` repetitions: total / count, one more for the first
// total % count slices; the shares add up to `total`. 0 leaves the benchmark out.
int repetitions_in_slice(int total, RepetitionSlice slice);

struct PlanSelection {
  std::vector<std::string> suites;    // empty: all
  std::vector<std::string> backends;  // empty: all
  std::string filter;                 // empty: all
  bool quick = false;
  std::optional<int> repetitions;     // overrides every suite's default
  std::optional<RepetitionSlice> slice;
};

class Plan {
 public:
  Plan(BackendSet& backends, PlanSelection selection);

  BackendSet& backends() { return backends_; }
  bool quick() const { return selection_.quick; }
  bool wants_suite(std::string_view suite) const;
  // True only when --suite names it: for suites that --all leaves out (faults).
  bool names_suite(std::string_view suite) const;
  bool wants_backend(std::string_view backend) const;
  // The repetitions for a benchmark: the user's --repetitions, else the suite's default
  // for a full or a --quick run.
  int repetitions(int full, int quick) const;
  LifecycleTimeouts timeouts_for(std::string_view backend) const;
  // Whether `backend` boots a guest OS under emulation (TCG) on this host. Such a guest's
  // figures never enter a claim's VM side (the emulation rule, bench/results/emulation.hpp)
  // and each of its repetitions costs seconds, so the suites give it fewer repetitions
  // in a full run (each site says how many).
  bool emulated_guest(std::string_view backend) const;

  // Whether a benchmark of this name would be run (--filter).
  bool passes_filter(const std::string& name) const;
  // Adds a benchmark if its name passes --filter.
  void add(BenchmarkSpec spec);
  // A benchmark row for a backend that cannot run here: error_occurred with the reason.
  void add_unavailable(const std::string& name, const std::string& reason);

  const std::vector<BenchmarkSpec>& specs() const { return specs_; }
  // A guess at one repetition's wall time from the backend's kind (SUITE/BACKEND/...):
  // the progress meter's prior where a suite sets none.
  double guess_repetition_s(const std::string& name) const;

  // State that several suites share within this plan, created by the first that asks
  // (the overhead suites' one instance per repetition for all their workloads).
  template <class T>
  std::shared_ptr<T> shared(const std::string& key) {
    std::shared_ptr<void>& slot = shared_[key];
    if (!slot) slot = std::make_shared<T>();
    return std::static_pointer_cast<T>(slot);
  }
  // Priors for the progress meter from the last run's wall time per repetition
  // (remembered_timings), for the benchmarks that have one.
  void use_measured_priors(const std::map<std::string, double>& seconds_per_repetition);
  // Registers every spec; with `timings`, each repetition's wall time is added to it.
  void register_with_google_benchmark(std::shared_ptr<RunTimings> timings = nullptr) const;

 private:
  BackendSet& backends_;
  PlanSelection selection_;
  std::optional<std::regex> filter_;
  std::vector<BenchmarkSpec> specs_;
  std::map<std::string, std::shared_ptr<void>> shared_;
  mutable std::optional<bool> guests_emulated_;  // the accelerator choice, made once
};

// Marks a failed repetition: recorded in the row, and the run goes on.
void record_failure(benchmark::State& state, const std::string& reason);

// Sets the phase counters (`<phase>_s` relative to launch, plus create_s, ready_s,
// teardown_s) and the row's attributes: the instance's, plus `extra` (a JSON object).
void record_lifecycle(benchmark::State& state, const LifecycleRecord& record,
                      const nlohmann::json& extra = nlohmann::json::object());

// Repetitions of a backend's `noop` life: the startup suite's, which the VM ladder's rows
// share (a guest boots once for both, lifecycle.hpp). A full run gives processes and
// containers 50, container engines and sandboxes 20 (each start is a daemon round trip
// or a sandbox boot of 0.15-0.4 s, and C5 reads the engines ×285-×377 against a threshold
// of ×10 with 50), a guest 10 and an emulated guest 5 (Plan::emulated_guest). --quick:
// 15, 10, 3 and 2.
int startup_repetitions(const Plan& plan, const std::string& backend, const BackendTraits& traits);

// Suites: each adds its benchmarks for the selected backends.
struct SuiteEntry {
  const char* name;
  void (*add)(Plan& plan);
};
std::span<const SuiteEntry> suite_table();

void add_startup_suite(Plan& plan);
// The container side of the ladder: each isolation primitive alone and cumulatively
// (ladder_suite.cpp).
void add_ladder_suite(Plan& plan);
// The kvm backend's primitives (hypervisor_suite.cpp) and the VM side of the ladder
// (ladder_vm_suite.cpp).
void add_hypervisor_suite(Plan& plan);
void add_ladder_vm_suite(Plan& plan);
// Overhead suites (overhead_suites.cpp): figures the workload measures from inside.
void add_syscall_suite(Plan& plan);
void add_cpu_suite(Plan& plan);
void add_mem_suite(Plan& plan);
void add_io_suite(Plan& plan);
// Host memory and image sizes (footprint_suite.cpp, density_suite.cpp, image_suite.cpp).
void add_footprint_suite(Plan& plan);
void add_density_suite(Plan& plan);
void add_image_suite(Plan& plan);
// Network round trips, streams and connection setup per backend and network mode (net_suite.cpp).
void add_net_suite(Plan& plan);
// Fault injection (faults_suite.cpp): only with --suite faults; every row fails on purpose.
void add_faults_suite(Plan& plan);

}  // namespace isobench
