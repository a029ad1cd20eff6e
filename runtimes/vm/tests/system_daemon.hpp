// A system libvirtd for the tests, as a lab host has one: the one already running is
// used as it is; when none runs, virtlogd and libvirtd are started here in the
// foreground (children of the test, with private pid files and logs) and only those are
// stopped at the end, together with the `machine` cgroups that libvirtd made and that
// did not exist before it started, and the runtime dirs it made under /run/libvirt.
// Without systemd (HOST-NOTES.md "libvirt").
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtimes/common/error.hpp"

namespace isobench::vm::testing {

// A program run in the foreground as a child; SIGTERM and wait on destruction.
class ChildDaemon {
 public:
  static Result<ChildDaemon> start(const std::vector<std::string>& argv, const std::filesystem::path& log);
  ChildDaemon() = default;
  ChildDaemon(ChildDaemon&& other) noexcept : pid_(std::exchange(other.pid_, -1)), name_(std::move(other.name_)) {}
  ChildDaemon& operator=(ChildDaemon&&) = delete;
  ~ChildDaemon();
  // Whether it is still running (reaps it if not).
  bool running();
  Result<void> stop();

 private:
  pid_t pid_ = -1;
  std::string name_;
};

// True when something accepts connections on the unix socket `path`.
bool socket_answers(const std::filesystem::path& path);

// The entries of /run/libvirt, sorted.
std::vector<std::filesystem::path> run_dir_entries();

// The cgroups named `machine` or `machine.slice` under /sys/fs/cgroup (v2) or one of
// its controller hierarchies (v1).
std::vector<std::filesystem::path> machine_cgroups();

class SystemDaemon {
 public:
  // Uses the running libvirtd, or starts virtlogd (if none runs) and libvirtd and
  // waits until qemu:///system answers.
  static Result<std::unique_ptr<SystemDaemon>> ensure();
  SystemDaemon() = default;
  SystemDaemon(const SystemDaemon&) = delete;
  SystemDaemon& operator=(const SystemDaemon&) = delete;
  ~SystemDaemon();

  bool started_here() const { return libvirtd_.has_value(); }
  // /run/libvirt's entries before the daemons were started here.
  const std::vector<std::filesystem::path>& run_dir_before() const { return run_dir_before_; }
  // Stops what was started here and removes the machine cgroups it created; idempotent.
  Result<void> stop();

 private:
  std::filesystem::path private_dir_;  // pid files and logs of what was started here
  std::vector<std::filesystem::path> cgroups_before_;
  std::vector<std::filesystem::path> run_dir_before_;  // /run/libvirt's entries before the start
  std::optional<ChildDaemon> virtlogd_;
  std::optional<ChildDaemon> libvirtd_;
};

}  // namespace isobench::vm::testing
