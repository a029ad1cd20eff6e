#include "footprint.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

#include "runtimes/common/proc_memory.hpp"
#include "runtimes/guest/guest_boot.hpp"

namespace isobench {
namespace fs = std::filesystem;

namespace {

// QEMU allocates guest RAM as one anonymous mapping of exactly the guest's size (a few
// pages more where it aligns the block); TCG's translation cache is another large
// anonymous mapping, of a different size, so size alone tells them apart.
std::optional<std::uint64_t> guest_ram_rss(const std::vector<MappingMemory>& mappings, std::uint64_t guest_bytes) {
  constexpr std::uint64_t kSlack = 4u << 20;
  std::optional<std::uint64_t> best;
  for (const auto& mapping : mappings) {
    if (!mapping.name.empty()) continue;
    if (mapping.size() < guest_bytes || mapping.size() > guest_bytes + kSlack) continue;
    if (!best || mapping.rss > *best) best = mapping.rss;
  }
  return best;
}

// The microvm VMM reserves guest RAM as one anonymous mapping and maps the workload's ELF
// segments from its file into it (vmm/address_space.cpp): guest RAM is the contiguous run
// of mappings around the file mappings of a binary that is not the VMM's own.
std::uint64_t microvm_guest_rss(const std::vector<MappingMemory>& mappings, const fs::path& vmm_exe) {
  auto is_workload_file = [&](const MappingMemory& m) {
    return m.name.starts_with("/") && fs::path(m.name) != vmm_exe;
  };
  auto file = std::find_if(mappings.begin(), mappings.end(), is_workload_file);
  if (file == mappings.end()) return 0;
  auto first = file, last = file;
  auto joins = [&](const MappingMemory& m) { return m.name.empty() || m.name == file->name; };
  while (first != mappings.begin() && std::prev(first)->end == first->start && joins(*std::prev(first))) --first;
  while (std::next(last) != mappings.end() && std::next(last)->start == last->end && joins(*std::next(last))) ++last;
  std::uint64_t rss = 0;
  for (auto it = first; it != std::next(last); ++it) rss += it->rss;
  return rss;
}

}  // namespace

MeasureContext MeasureContext::for_backend(const Backend& backend, const LaunchOptions& options) {
  MeasureContext context;
  context.harness_cgroup = memory_cgroup_dir(::getpid());
  if (backend.traits().boots_guest_os) {
    if (auto size = guest::guest_size(options.limits)) context.guest_memory_bytes = size->memory_mib << 20;
  }
  return context;
}

LaunchOptions idle_launch_options(const LifecycleTimeouts& timeouts) {
  LaunchOptions options;
  options.workload = {"idle", {"3600"}};
  options.ready_timeout = timeouts.ready;
  return options;
}

std::chrono::milliseconds settle_time(const Backend& backend) {
  return backend.traits().boots_guest_os ? std::chrono::milliseconds(1500) : std::chrono::milliseconds(300);
}

Result<InstanceMemory> measure_instance(const Instance& instance, const MeasureContext& context) {
  std::vector<pid_t> roots = instance.host_pids();
  if (roots.empty()) return fail("footprint: the instance has no host process (it exited?)");
  std::vector<pid_t> tree = with_descendants(roots);

  // The instance's own memory cgroups: where its processes are, unless that is the
  // harness's cgroup. Their members join the process set (a runtime's container
  // process is not always a descendant of the process the harness started).
  std::set<fs::path> cgroups;
  for (pid_t pid : tree) {
    auto dir = memory_cgroup_dir(pid);
    if (dir && dir != context.harness_cgroup) cgroups.insert(*dir);
  }
  std::set<pid_t> pids(tree.begin(), tree.end());
  for (const auto& dir : cgroups) {
    if (auto members = cgroup_pids(dir)) pids.insert(members->begin(), members->end());
  }

  InstanceMemory memory;
  bool process_kernel = false;
  std::error_code ignored;
  for (pid_t pid : pids) {
    auto process = read_process_memory(pid);
    if (!process) {
      if (::kill(pid, 0) != 0 && errno == ESRCH) continue;  // exited between listing and reading
      return std::unexpected(process.error().with_context("footprint"));
    }
    memory.rss += process->rss;
    memory.pss += process->pss;
    memory.uss += process->uss;
    ++memory.processes;
    std::string name = process_name(pid);
    memory.process_names.push_back(name);

    auto dir = memory_cgroup_dir(pid);
    if (!dir || !cgroups.contains(*dir)) {
      auto kernel = process_kernel_bytes(pid);
      if (!kernel) return std::unexpected(kernel.error().with_context("footprint"));
      memory.kernel += *kernel;
      process_kernel = true;
    }
    if (name == "isobench-microv") {  // comm: the first 15 characters of isobench-microvm
      auto mappings = read_mappings(pid);
      if (!mappings) return std::unexpected(mappings.error().with_context("footprint"));
      std::uint64_t ram = microvm_guest_rss(*mappings, fs::read_symlink(fs::path("/proc") / std::to_string(pid) / "exe", ignored));
      memory.guest_ram_rss = memory.guest_ram_rss.value_or(0) + ram;
      memory.vmm_overhead_rss += process->rss - std::min(process->rss, ram);
    }
    if (context.guest_memory_bytes > 0 && name.starts_with("qemu")) {
      auto mappings = read_mappings(pid);
      if (!mappings) return std::unexpected(mappings.error().with_context("footprint"));
      auto ram = guest_ram_rss(*mappings, context.guest_memory_bytes);
      if (!ram)
        return fail("footprint: no anonymous mapping of the guest's " + std::to_string(context.guest_memory_bytes >> 20) +
                    " MiB in QEMU process " + std::to_string(pid));
      memory.guest_ram_rss = memory.guest_ram_rss.value_or(0) + *ram;
      memory.vmm_overhead_rss += process->rss - std::min(process->rss, *ram);
    }
  }
  for (const auto& dir : cgroups) {
    auto kernel = cgroup_kernel_bytes(dir);
    if (!kernel) return std::unexpected(kernel.error().with_context("footprint"));
    memory.kernel += *kernel;
  }
  memory.kernel_source = cgroups.empty() ? "process" : process_kernel ? "cgroup+process" : "cgroup";
  if (memory.processes == 0) return fail("footprint: every process of the instance exited before it was measured");
  return memory;
}

}  // namespace isobench
