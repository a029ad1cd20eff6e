// The shared body of the overhead suites (syscall, cpu, mem, io): run a workload that
// times itself inside the instance, and report its own figures. The harness only waits
// (blocked in poll) while the workload measures, so it adds nothing to the figures.
#pragma once

#include <nlohmann/json.hpp>

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

// One workload command whose every run feeds all of its rows, so that a guest boots once
// per repetition for the eight syscall rows, not eight times.
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
