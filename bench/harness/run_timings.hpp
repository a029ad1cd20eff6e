// Where a run's wall time went: each benchmark's repetitions as the harness saw them
// (launch, boot, measurement and teardown together, not the row's measured time), summed
// per suite and backend, plus the run's phases outside the benchmarks (probes, results,
// report). Written beside results.json as timings.json, so that a slow `bench --all`
// says where its minutes went.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtimes/common/error.hpp"

namespace isobench {

class RunTimings {
 public:
  // One repetition of benchmark `name` (SUITE/BACKEND/...) took `seconds` of wall time.
  void repetition(const std::string& name, double seconds);
  // A phase of the run outside the benchmarks ("setup", "results", "report"), in order.
  void phase(const std::string& name, double seconds);

  double benchmarks_s() const;
  // {"total_s", "phases": {..}, "by_suite": {..}, "by_suite_backend": {"SUITE/BACKEND": s},
  //  "benchmarks": {"NAME": {"repetitions", "wall_s"}}}
  nlohmann::json to_json() const;
  // One line for stderr: the total and the three costliest suites x backends.
  std::string summary() const;
  // Each benchmark's wall time per repetition.
  std::map<std::string, double> per_repetition() const;

 private:
  struct Tally {
    int repetitions = 0;
    double wall_s = 0;
  };
  std::map<std::string, Tally> benchmarks_;
  std::vector<std::pair<std::string, double>> phases_;
};

// The last runs' wall time per repetition of each benchmark, kept in the state dir
// (STATE/timings/full.json or quick.json: the two kinds of run size their workloads
// differently), for the progress meter's priors. Each run updates the benchmarks it ran
// and keeps the others'.
std::filesystem::path remembered_timings_path(const std::filesystem::path& state_dir, bool quick);
// {} when there is none or it cannot be read: the priors fall back to guesses.
std::map<std::string, double> remembered_timings(const std::filesystem::path& path);
Result<void> remember_timings(const RunTimings& timings, const std::filesystem::path& path);

// "startup/vm" from "startup/vm/noop"; the name itself when it has no second part.
std::string suite_backend_of(const std::string& benchmark_name);

}  // namespace isobench
