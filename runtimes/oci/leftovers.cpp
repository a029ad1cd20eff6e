#include "leftovers.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <system_error>
#include <vector>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench {

namespace fs = std::filesystem;

bool runtime_state_exists(const fs::path& state_root, const std::string& id) {
  for (const fs::path& path : {state_root / id, state_root / (id + "_sandbox:" + id + ".state")})
    if (::access(path.c_str(), F_OK) == 0) return true;
  return false;
}

Result<void> remove_runtime_lock(const fs::path& state_root, const std::string& id) {
  fs::path lock = state_root / (id + "_sandbox:" + id + ".lock");
  if (::unlink(lock.c_str()) != 0 && errno != ENOENT) return fail_errno("unlink " + in_quotes(lock));
  return {};
}

namespace {

// Kills what is left in a container's cgroup and waits, on each process's pidfd, until it
// is gone. A runsc killed before its sandbox came up leaves the sandbox and gofer dying
// on their own (parent-death signal): the cgroup is still populated for a moment.
void kill_members(const fs::path& dir, Deadline deadline) {
  std::ifstream procs(dir / "cgroup.procs");
  std::vector<UniqueFd> members;
  for (pid_t pid = 0; procs >> pid;) {
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) continue;  // already gone
    ::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    members.push_back(std::move(pidfd));
  }
  for (const auto& pidfd : members) {
    pollfd exited{pidfd.get(), POLLIN, 0};
    while (::poll(&exited, 1, deadline.poll_timeout_ms()) < 0 && errno == EINTR) {
    }
  }
}

}  // namespace

Result<void> remove_container_cgroups(const std::string& id, const fs::path& cgroup_root) {
  Result<void> first;
  auto remove_one = [&](const fs::path& dir) {
    if (::rmdir(dir.c_str()) == 0 || errno == ENOENT || errno == ENOTDIR) return;
    if (errno == EBUSY) {
      kill_members(dir, Deadline::after(std::chrono::seconds(5)));
      if (::rmdir(dir.c_str()) == 0) return;
    }
    if (first) first = fail_errno("rmdir " + in_quotes(dir));
  };
  remove_one(cgroup_root / id);  // a v2 root
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator(cgroup_root, ec)) {
    if (!hierarchy.is_directory(ec) || hierarchy.is_symlink(ec)) continue;  // cpu -> cpu,cpuacct
    remove_one(hierarchy.path() / id);
  }
  return first;
}

}  // namespace isobench
