// Host state that the container engines leave outside their own roots, and its removal:
// processes found by their command lines, cgroup trees under every hierarchy, and the
// paths an engine makes on first use wherever its roots are (/run/docker/plugins,
// /run/containerd/s; podman's /var/lib/containers/cache, /var/cache/containers, /run/runc).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/error.hpp"

namespace isobench {

// SIGKILL through a pidfd (never a reused pid), then waits on it for the exit.
void kill_and_wait(pid_t pid, Deadline deadline);

// Processes whose command line names `needle` (a daemon's or a storage's directory).
std::vector<pid_t> processes_naming(const std::string& needle);

// Removes cgroup `relative` (e.g. "isobench-docker-12") under every hierarchy of
// `cgroup_root`, children first, killing what is still inside.
Result<void> remove_cgroup_everywhere(const std::string& relative,
                                      const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

// Of `paths` (parents before children), those that did not exist when it was made: the
// ones this run's engine will have created.
class HostPathsMadeHere {
 public:
  static HostPathsMadeHere before(std::vector<std::filesystem::path> paths);
  // rmdir of each, children first: a directory someone else filled meanwhile stays.
  void remove_empty_dirs() const;
  // remove_all of each (caches and lock files only the engine's first use made).
  Result<void> remove_trees() const;
  const std::vector<std::filesystem::path>& paths() const { return paths_; }

 private:
  std::vector<std::filesystem::path> paths_;
};

// A run's record of the host paths its engine made on first use, kept in the engine's own
// directory (STATE_DIR/isobench-ENGINE-PID/host-paths-made), so that `bench clean` can
// remove them after a run killed before its shut-down. Written by the run that made them.
inline constexpr const char* kHostPathsRecord = "host-paths-made";
Result<void> record_host_paths(const std::vector<std::filesystem::path>& made, const std::filesystem::path& engine_dir);

// Removes what `engine_dir`'s record lists, children first, each path only if it is one
// the engines are known to make on first use, and each in its own way: a cache or lock
// file removed, a directory only when empty (another run may be using it). Unknown paths
// in a record are ignored: a record never makes bench remove anything else. Returns the
// paths removed; none when there is no record.
std::vector<std::filesystem::path> remove_recorded_host_paths(const std::filesystem::path& engine_dir);

}  // namespace isobench
