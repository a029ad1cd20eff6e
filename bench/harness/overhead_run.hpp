// The shared body of the overhead suites (syscall, cpu, mem, io): run a workload that
// times itself inside the instance, and report its own figures. The harness only waits
// (blocked in poll) while the workload measures, so it adds nothing to the figures.
#pragma once

#include <nlohmann/json.hpp>

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "plan.hpp"

namespace isobench {

// One row per backend: SUITE/BACKEND/NAME.
struct OverheadRow {
  std::string name;                // "getpid", "triad"
  std::string figures_at;          // JSON pointer into the result's data: "/getpid"
  std::string counter;             // the figure: "ns_per_op", "bytes_per_s" or "ops_per_s"
  std::vector<std::string> facts;  // fields copied into the row's label: "storage"
};

// One workload command whose every run feeds all of its rows. The groups of all overhead
// suites on one backend share each instance: it runs their commands in turn, so that a
// guest boots once per repetition for all of them (SharedRuns in overhead_run.cpp).
struct OverheadGroup {
  WorkloadCommand command;
  std::vector<OverheadRow> rows;
  // Memory the workload allocates (the mem arrays). A guest booted for it gets RAM to
  // hold it beside its kernel (guest_memory_for); 0: the guest's default is enough.
  std::uint64_t working_set_bytes = 0;
};

// Guest RAM for a working set: the workload refuses to allocate more than 80% of
// MemAvailable, and the guest kernel and initramfs keep about 50 MiB of a 256 MiB guest
// (measured: MemAvailable 205 MB) and more of a larger one (a 1.375 GiB guest had 1.30 GB
// available, short of 1 GiB / 0.8); whole 64 MiB steps, never below the 256 MiB default.
std::uint64_t guest_memory_for(std::uint64_t working_set_bytes);

struct OverheadSizes {
  std::string syscall_seconds;  // time budget of each `syscall` operation
  std::string cpu_rounds;
  std::string triad_bytes;
  std::string chase_bytes;
  std::string random_bytes;
  std::string io_bytes;
};
// A WorkloadCommand argument replaced, per backend, by its traits' writable_dir: where
// the backend's natural storage is writable from inside the instance.
inline constexpr const char* kWritableDir = "{writable_dir}";

// --quick: sizes for CI (all four suites on three backends, TCG guests included, within
// 3 minutes); otherwise sizes that leave the last-level cache far behind.
OverheadSizes overhead_sizes(bool quick);

// The data object of a successful workload result; the error says why there is none.
Result<nlohmann::json> workload_data(const Outcome& outcome);
// The figures at `figures_at` in `data`, checked to hold a positive `counter`.
Result<nlohmann::json> row_figures(const nlohmann::json& data, const std::string& figures_at,
                                   const std::string& counter);

// Runs the workload once on `backend` and returns its result's data.
Result<nlohmann::json> run_overhead_workload(Backend& backend, const WorkloadCommand& command,
                                             const LifecycleTimeouts& timeouts, LifecycleRecord* record = nullptr,
                                             const Limits& limits = {});

// The command that runs `commands` one after another in one instance: the workload's
// `sequence W1 ARGS -- W2 ARGS ...`, or the one command itself.
WorkloadCommand sequence_command(const std::vector<const WorkloadCommand*>& commands);
// Part `index` of a sequence's result data: that workload's own data, or its failure.
Result<nlohmann::json> sequence_part(const nlohmann::json& data, std::size_t index);

// The overhead runs of one backend, across the suites (syscall, cpu, mem, io): every
// repetition is one instance that runs each group's workload in turn (the workload's
// `sequence`), each part timed inside it as it would be alone, so that a guest boots once
// per repetition for all of them rather than once per group. Each row takes the next
// result queued for it; when it has none, a new instance runs and queues each group's
// result for that group's rows. Rows have the same repetitions, so each run is used once
// by each row, in whatever order Google Benchmark interleaves the repetitions. A part
// that fails fails only its group's rows.
struct SharedResult {
  nlohmann::json data;                            // the part's own result data
  std::map<std::string, std::string> attributes;  // the backend's, for the label
};

class SharedRuns {
 public:
  void configure(Backend& backend, LifecycleTimeouts timeouts);
  // A workload command and the guest RAM it needs (0: the default); returns its index.
  std::size_t add_group(WorkloadCommand command, std::uint64_t memory_bytes);
  // A row (by a unique key) reading the results of group `group`.
  void add_row(const std::string& key, std::size_t group);
  // The row's next result, launching an instance when none is queued for it.
  Result<SharedResult> next(const std::string& key);
  // Instances launched so far.
  int launches() const { return launches_; }

 private:
  struct Group {
    WorkloadCommand command;
    std::uint64_t memory_bytes = 0;
  };
  // The groups that have rows (the others were filtered out), in the order added.
  std::vector<std::size_t> used_groups() const;
  void launch();

  Backend* backend_ = nullptr;
  LifecycleTimeouts timeouts_;
  std::vector<Group> groups_;
  std::map<std::string, std::size_t> row_group_;
  std::map<std::string, std::deque<Result<SharedResult>>> queues_;
  int launches_ = 0;
};

// Registers SUITE/BACKEND/ROW for every selected backend that runs workloads; an
// unavailable backend gets rows that say why.
void add_overhead_groups(Plan& plan, const std::string& suite, const std::vector<OverheadGroup>& groups);

// Validation of bare figures against a second method in the harness process (overhead_validation.cpp).
void add_syscall_validation(Plan& plan, const OverheadSizes& sizes);
void add_mem_validation(Plan& plan, const OverheadSizes& sizes);

// The kvm backend's rows: the workload's kernels in its guest (kvm_kernel_rows.cpp).
void add_kvm_cpu_rows(Plan& plan, const OverheadSizes& sizes);
void add_kvm_mem_rows(Plan& plan, const OverheadSizes& sizes);

}  // namespace isobench
