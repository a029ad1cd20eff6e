// What isobench may leave on a host, found by name: everything it creates carries
// `isobench` (SPEC.md), and what one run creates also carries that run's pid
// (isobench-KIND-PID-N), which is how a leftover is told apart from a live run's.
#pragma once

#include <sys/types.h>

#include <compare>
#include <tuple>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace isobench::safety {

// In removal order: processes first (they pin cgroups, mounts and dirs), dirs last.
enum class ArtifactKind { kProcess, kCgroup, kMount, kNetns, kNetDevice, kNftTable, kLibvirtState, kTempDir };

struct Artifact {
  ArtifactKind kind = ArtifactKind::kTempDir;
  std::string id;              // a path, a device name, or a pid for a process
  std::string detail;          // a process's command line, shortened
  std::optional<pid_t> owner;  // the pid named in it (isobench-KIND-PID-N), if any

  std::string describe() const;  // "cgroup /sys/fs/cgroup/memory/isobench-container-12-1"
  auto operator<=>(const Artifact& other) const {
    return std::tie(kind, id) <=> std::tie(other.kind, other.id);
  }
  bool operator==(const Artifact& other) const { return kind == other.kind && id == other.id; }
};

std::string_view kind_name(ArtifactKind kind);

// The pid in `isobench-WORD-PID` followed by `-`, `.` or the end; nullopt otherwise.
std::optional<pid_t> owner_pid(std::string_view text);

// Where to look; the defaults are the real host. Tests point these at a scratch tree.
struct HostRoots {
  std::filesystem::path proc = "/proc";
  std::filesystem::path mountinfo = "/proc/self/mountinfo";
  std::filesystem::path cgroup = "/sys/fs/cgroup";
  std::filesystem::path netns = "/run/netns";
  std::filesystem::path net = "/sys/class/net";
  // And a system libvirtd's QEMU logs: bench removes its guest's log at teardown, so one
  // named isobench-vm-PID-N.log is left only by a run killed with -9 (the daemon itself
  // destroys that run's autodestroy domain).
  std::vector<std::filesystem::path> temp_dirs = {"/tmp", "/var/tmp", "/dev/shm", "/var/log/libvirt/qemu"};
  std::filesystem::path run = "/run";
  std::optional<std::filesystem::path> state_dir;  // libvirt embed root = state_dir/libvirt
  // nftables tables named isobench-* (the net suite's NAT), listed with `nft` when installed.
  bool nft_tables = true;
};

// Every isobench artifact on the host, sorted. Never fails: unreadable places are skipped.
std::vector<Artifact> scan_host(const HostRoots& roots);

// The mounts whose mount point names isobench, from a mountinfo file.
std::vector<Artifact> isobench_mounts(const std::filesystem::path& mountinfo);

bool process_alive(pid_t pid);

}  // namespace isobench::safety
