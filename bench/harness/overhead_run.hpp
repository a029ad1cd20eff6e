// The shared body of the overhead suites (syscall, cpu, mem, io): run one workload that
// times itself inside the instance, and report its own figure. The harness only waits
// (blocked in poll) while the workload measures, so it adds nothing to the figure.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "plan.hpp"

namespace isobench {

// One row per backend: SUITE/BACKEND/ROW.
struct OverheadCase {
  std::string row;               // "getpid", "triad"
  WorkloadCommand command;       // {"syscall", {"getpid", "0.3"}}
  std::string figures_at;        // JSON pointer into the result's data: "" or "/triad"
  std::string counter;           // the figure: "ns_per_op", "bytes_per_s" or "ops_per_s"
  std::vector<std::string> facts;  // data fields copied into the row's label: "storage"
};

struct OverheadSizes {
  std::string syscall_seconds;  // time budget of each `syscall OP`
  std::string cpu_rounds;
  std::string triad_bytes;
  std::string chase_bytes;
  std::string io_bytes;
};
// --quick: sizes for CI (all four suites on three backends, TCG guests included, within
// 3 minutes); otherwise sizes that leave the last-level cache far behind.
OverheadSizes overhead_sizes(bool quick);

// The workload's figures: its result's data at `figures_at`, checked to be ok and to hold
// a positive `counter`. The error says why not, in words for the row.
Result<nlohmann::json> workload_figures(const Outcome& outcome, const std::string& figures_at,
                                        const std::string& counter);

// Runs the workload once on `backend` and returns its result's data, checked as above.
Result<nlohmann::json> run_overhead_workload(Backend& backend, const WorkloadCommand& command,
                                             const std::string& figures_at, const std::string& counter,
                                             const LifecycleTimeouts& timeouts, LifecycleRecord* record = nullptr);

// Registers SUITE/BACKEND/ROW for every selected backend that runs workloads; an
// unavailable backend gets rows that say why.
void add_overhead_cases(Plan& plan, const std::string& suite, const std::vector<OverheadCase>& cases);

// Validation of bare figures against a second method in the harness process (overhead_validation.cpp).
void add_syscall_validation(Plan& plan, const OverheadSizes& sizes);
void add_mem_validation(Plan& plan, const OverheadSizes& sizes);

}  // namespace isobench
