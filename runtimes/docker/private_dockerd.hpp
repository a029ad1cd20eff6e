// A Docker daemon of isobench's own, for one run: started, waited for and stopped by its
// owner, never the host's. Everything it keeps lives in STATE_DIR/isobench-docker-PID/
// (daemon.json, data root, exec root with its containerd, socket, pidfile, log). It does
// not touch the host's firewall or routes (--iptables=false --ip-masq=false
// --ip-forward=false --bridge=none: containers get --network none or host), puts its
// containers under the cgroup parent /isobench-docker-PID, and supervises a containerd
// of its own under its exec root (a host containerd at /run/containerd is not used:
// dockerd 20.10 picks that one up when its socket answers, so bench refuses to start
// when one does).
//
// stop() (and the destructor) end it with SIGTERM, then SIGKILL after a deadline, and
// then remove what a daemon killed mid-run leaves: its containerd and shims, the
// mounts under its data and exec roots (overlays, network namespaces), the cgroup
// parent, the directory, and the empty directories it created on the host (/run/docker,
// /run/containerd, /opt/containerd). Its trust key goes into its own dir, not /etc/docker.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "runtimes/common/child_process.hpp"
#include "runtimes/common/error.hpp"

namespace isobench {

class PrivateDockerd {
 public:
  // Starts `dockerd` (an absolute path) and waits until its API answers /_ping.
  static Result<PrivateDockerd> start(const std::filesystem::path& dockerd, const std::filesystem::path& state_dir,
                                      Deadline deadline);

  PrivateDockerd(PrivateDockerd&& other) noexcept
      : dir_(std::move(other.dir_)),
        cgroup_parent_(std::move(other.cgroup_parent_)),
        daemon_(std::move(other.daemon_)),
        start_s_(other.start_s_),
        created_host_dirs_(std::move(other.created_host_dirs_)),
        stopped_(std::exchange(other.stopped_, true)) {}
  PrivateDockerd& operator=(PrivateDockerd&&) = delete;
  PrivateDockerd(const PrivateDockerd&) = delete;
  PrivateDockerd& operator=(const PrivateDockerd&) = delete;
  ~PrivateDockerd();

  // Idempotent; the first failure is returned, every step is still tried.
  Result<void> stop();

  std::string host_uri() const { return "unix://" + socket().string(); }
  std::filesystem::path socket() const { return dir_ / "docker.sock"; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::string& cgroup_parent() const { return cgroup_parent_; }  // "/isobench-docker-PID"
  pid_t pid() const { return daemon_.pid(); }
  // The containerd that dockerd started (its child), 0 when none is found.
  pid_t containerd_pid() const;
  // Seconds from spawning dockerd to its first answer to /_ping.
  double start_s() const { return start_s_; }

 private:
  PrivateDockerd() = default;

  std::filesystem::path dir_;
  std::string cgroup_parent_;
  ChildProcess daemon_;
  double start_s_ = 0;
  // Host directories dockerd and containerd make whatever their roots (/run/docker/plugins,
  // /run/containerd/s) that did not exist before: removed at stop when empty.
  std::vector<std::filesystem::path> created_host_dirs_;
  bool stopped_ = false;
};

// Waits until the dockerd `daemon` answers /_ping with 200 on `socket`, or exits, or the
// deadline passes (a timeout error). Any dockerd: a test starts one of its own with it.
Result<void> wait_until_dockerd_serves(const std::filesystem::path& socket, ChildProcess& daemon, Deadline deadline);

// The directory a run's private daemon uses (STATE_DIR/isobench-docker-PID).
std::filesystem::path private_dockerd_dir(const std::filesystem::path& state_dir, pid_t owner);

}  // namespace isobench
