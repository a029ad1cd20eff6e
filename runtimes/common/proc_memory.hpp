// Host memory as the kernel accounts it, read from /proc and cgroupfs: what footprint
// and density measure. Parsers take the file's text so they are tested on fixed input;
// the readers add the path to every error.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.hpp"

namespace isobench {

// One process's memory from /proc/PID/smaps_rollup (bytes).
struct ProcessMemory {
  std::uint64_t rss = 0;
  std::uint64_t pss = 0;
  // Private_Clean + Private_Dirty + Private_Hugetlb: what the kernel frees when the
  // process goes away (shared pages stay, paid by the others).
  std::uint64_t uss = 0;
  std::uint64_t anonymous = 0;
};

// One mapping of /proc/PID/smaps: enough to find a VMM's guest RAM among its mappings.
struct MappingMemory {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  std::string name;  // path, [heap], [stack], or "" for an anonymous mapping
  std::uint64_t rss = 0;
  std::uint64_t pss = 0;
  std::uint64_t anonymous = 0;

  std::uint64_t size() const { return end - start; }
};

struct MemInfo {
  std::uint64_t total = 0;
  std::uint64_t available = 0;
};

Result<ProcessMemory> parse_smaps_rollup(std::string_view text);
Result<std::vector<MappingMemory>> parse_smaps(std::string_view text);
Result<MemInfo> parse_meminfo(std::string_view text);
// The memory controller's path in /proc/PID/cgroup: the v1 line naming `memory`, else
// the v2 line `0::PATH`. nullopt when neither is there.
struct CgroupPath {
  std::string path;
  bool unified = false;  // from the v2 line
};
std::optional<CgroupPath> parse_memory_cgroup(std::string_view proc_pid_cgroup);

Result<ProcessMemory> read_process_memory(pid_t pid);
Result<std::vector<MappingMemory>> read_mappings(pid_t pid);
Result<MemInfo> read_meminfo(const std::filesystem::path& path = "/proc/meminfo");

// `roots` and every live descendant (by the parent pid in /proc/PID/stat), each once.
std::vector<pid_t> with_descendants(const std::vector<pid_t>& roots);

// The directory of the memory cgroup `pid` is in, on this host's hierarchy (v1
// /sys/fs/cgroup/memory/PATH, or the cgroup2 mount's PATH); nullopt when unknown.
std::optional<std::filesystem::path> memory_cgroup_dir(pid_t pid);
// The pids in a cgroup directory (cgroup.procs).
Result<std::vector<pid_t>> cgroup_pids(const std::filesystem::path& dir);
// Kernel memory the cgroup is charged for: v1 memory.kmem.usage_in_bytes, v2 the
// `kernel` line of memory.stat (or, on kernels before 5.18, the sum of its kernel
// parts: kernel_stack, pagetables, percpu, sock, slab).
Result<std::uint64_t> cgroup_kernel_bytes(const std::filesystem::path& dir);
// For a process in no cgroup of its own: its page tables (VmPTE) and one kernel stack
// per thread (THREAD_SIZE is 16 KiB on x86-64), the kernel memory it alone causes.
Result<std::uint64_t> process_kernel_bytes(pid_t pid);

// /proc/PID/comm ("qemu-system-x86"), "" when the process is gone.
std::string process_name(pid_t pid);

}  // namespace isobench
