// The overhead suites: what running inside each backend costs a process that is already
// running, as the workload measures it from inside (Felter et al. 2015 is the model:
// syscalls, CPU, memory, file I/O). Each row's ratio_to_bare comes from the same run
// (derived.cpp).
#include "overhead_run.hpp"
#include "workload.hpp"

namespace isobench {

void add_syscall_suite(Plan& plan) {
  if (!plan.wants_suite("syscall")) return;
  OverheadSizes sizes = overhead_sizes(plan.quick());
  OverheadGroup group{{"syscall", {"all", sizes.syscall_seconds}}, {}};
  for (std::string_view op : workload::syscall_operations()) {
    std::vector<std::string> facts;
    if (op == "clock_gettime") facts = {"clocksource"};
    group.rows.push_back({std::string(op), "/" + std::string(op), "ns_per_op", facts});
  }
  add_overhead_groups(plan, "syscall", {group});
  add_syscall_validation(plan, sizes);
}

void add_cpu_suite(Plan& plan) {
  if (!plan.wants_suite("cpu")) return;
  OverheadSizes sizes = overhead_sizes(plan.quick());
  // The digest goes into the label: equal labels across backends show the same work done.
  add_overhead_groups(plan, "cpu", {{{"cpu", {sizes.cpu_rounds}}, {{"hash", "", "ops_per_s", {"digest"}}}}});
  add_kvm_cpu_rows(plan, sizes);
}

void add_mem_suite(Plan& plan) {
  if (!plan.wants_suite("mem")) return;
  OverheadSizes sizes = overhead_sizes(plan.quick());
  // Three runs: bandwidth, latency, and random access over 1 GiB (beyond the TLB's
  // reach, where a hypervisor's paging shows); each needs its own memory.
  // A guest gets RAM for each run's arrays (guest_memory_for), or the full sizes fail in it.
  add_overhead_groups(plan, "mem",
                      {{{"mem", {"triad", sizes.triad_bytes}},
                        {{"triad", "/triad", "bytes_per_s", {}}},
                        workload::parse_bytes(sizes.triad_bytes).value_or(0)},
                       {{"mem", {"chase", sizes.chase_bytes}},
                        {{"chase", "/chase", "ns_per_op", {}}},
                        workload::parse_bytes(sizes.chase_bytes).value_or(0)},
                       {{"mem", {"random", sizes.random_bytes}},
                        {{"random", "/random", "ns_per_op", {"digest"}}},
                        workload::parse_bytes(sizes.random_bytes).value_or(0)}});
  add_kvm_mem_rows(plan, sizes);
  add_mem_validation(plan, sizes);
}

void add_io_suite(Plan& plan) {
  if (!plan.wants_suite("io")) return;
  OverheadSizes sizes = overhead_sizes(plan.quick());
  // Each backend writes to its natural storage (writable_dir): the host's disk for bare,
  // the container's writable layer, the guest's root (its initramfs tmpfs unless the
  // guest mounts a disk there). The row's label names the filesystem.
  add_overhead_groups(plan, "io",
                      {{{"io", {kWritableDir, sizes.io_bytes}},
                        {{"seqwrite", "/seqwrite", "bytes_per_s", {"storage"}},
                         {"randread", "/randread", "ops_per_s", {"storage", "direct"}}}}});
}

}  // namespace isobench
