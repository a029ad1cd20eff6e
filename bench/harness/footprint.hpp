// What one running instance costs the host, read from /proc and cgroupfs while the
// instance idles: shared by the footprint and density suites.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"
#include "lifecycle.hpp"

namespace isobench {

struct InstanceMemory {
  std::uint64_t rss = 0;  // summed over the instance's processes (shared pages counted in each)
  std::uint64_t pss = 0;
  std::uint64_t uss = 0;
  // Kernel memory: charged to the instance's own memory cgroup(s), plus page tables and
  // kernel stacks of its processes that live in no cgroup of their own.
  std::uint64_t kernel = 0;
  std::string kernel_source;  // "cgroup", "process" or "cgroup+process"
  std::size_t processes = 0;
  std::vector<std::string> process_names;
  // Guests only (a QEMU process among them): RSS of the guest RAM mapping (the guest
  // memory the guest has touched) and the rest of QEMU's RSS (the VMM's own overhead,
  // under TCG including its translation cache), as Firecracker's memory test splits it.
  std::optional<std::uint64_t> guest_ram_rss;
  std::uint64_t vmm_overhead_rss = 0;
};

struct MeasureContext {
  // The harness's own memory cgroup: an instance process found there has no cgroup of
  // its own (bare, crun without cgroups, QEMU started directly).
  std::optional<std::filesystem::path> harness_cgroup;
  // The guest's RAM size, to find its mapping in QEMU.
  std::uint64_t guest_memory_bytes = 0;

  static MeasureContext for_backend(const Backend& backend, const LaunchOptions& options);
};

// Reads the memory of the instance's processes (host_pids, their descendants and the
// members of their own memory cgroups). Only reads /proc and cgroupfs.
Result<InstanceMemory> measure_instance(const Instance& instance, const MeasureContext& context);

// `idle` for longer than any measurement takes; teardown ends it.
LaunchOptions idle_launch_options(const LifecycleTimeouts& timeouts);
// How long an instance is left alone after ready before it is measured: a guest's
// kernel keeps freeing and touching pages for a moment after /init starts.
std::chrono::milliseconds settle_time(const Backend& backend);

}  // namespace isobench
