// A cgroup that isobench created for one container: limits written, joined by the
// container's first process, removed on every path. One implementation per cgroup
// version (cgroup_v1.cpp, cgroup_v2.cpp); the root is injectable so the logic runs on a
// fake tree in unit tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench {

enum class CgroupVersion { kNone, kV1, kV2 };
std::string to_string(CgroupVersion version);  // "none", "v1", "v2"

// Where a container's cgroup goes and how the container joins it.
struct CgroupPlacement {
  CgroupVersion version = CgroupVersion::kNone;
  // v1: the directory holding one mount per controller (memory/, pids/, cpu/).
  // v2: the cgroup2 mount itself.
  std::filesystem::path root = "/sys/fs/cgroup";
  // v2 only: the child is born in the cgroup (clone3 CLONE_INTO_CGROUP) instead of
  // writing itself into cgroup.procs after the clone.
  bool clone_into = false;
};

// The placement for this host, detected as systemd and crun do: a unified host gets v2
// with CLONE_INTO_CGROUP; a hybrid or legacy host has its controllers on v1.
CgroupPlacement host_cgroup_placement(const std::filesystem::path& root = "/sys/fs/cgroup");

class Cgroup {
 public:
  virtual ~Cgroup() = default;

  // Files the container's first process writes "0" into to join while it is still
  // single-threaded (v2: cgroup.procs; v1: `tasks`, one per hierarchy). Opened
  // O_CLOEXEC, so they close at exec.
  virtual std::vector<int> procs_fds() const = 0;
  // The cgroup's directory fd, for CLONE_INTO_CGROUP; -1 where that is not possible (v1).
  virtual int directory_fd() const = 0;
  // How many processes the OOM killer killed in this cgroup (memory.events oom_kill on
  // v2, memory.oom_control oom_kill on v1).
  virtual Result<std::uint64_t> oom_kills() const = 0;
  // Removes the directories; kills what is left first where the kernel allows (v2
  // cgroup.kill). Idempotent. The first failure is returned, the others still tried.
  virtual Result<void> remove() = 0;
  virtual CgroupVersion version() const = 0;
  // The directories created, one per hierarchy.
  virtual std::vector<std::filesystem::path> directories() const = 0;
};

// Creates the cgroup `name` (which carries "isobench") with `limits` written. Errors name
// the step and the path.
Result<std::unique_ptr<Cgroup>> create_cgroup(const CgroupPlacement& placement, const std::string& name,
                                              const Limits& limits);
Result<std::unique_ptr<Cgroup>> create_cgroup_v1(const std::filesystem::path& root, const std::string& name,
                                                 const Limits& limits);
Result<std::unique_ptr<Cgroup>> create_cgroup_v2(const std::filesystem::path& root, const std::string& name,
                                                 const Limits& limits, bool for_clone_into);

// A name no other cgroup of this process uses: isobench-<what>-<pid>-<sequence>.
std::string unique_cgroup_name(const std::string& what);

}  // namespace isobench
