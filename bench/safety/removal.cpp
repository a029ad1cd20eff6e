#include "removal.hpp"

#include "runtimes/engine/engine_host.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "runtimes/common/spawn.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "runtimes/common/unix_sockets.hpp"
#include "runtimes/engine/engine_host.hpp"

namespace isobench::safety {
namespace fs = std::filesystem;
namespace {

using namespace std::chrono_literals;

Result<void> kill_process(pid_t pid) {
  // A pidfd, so that a pid reused between the scan and the kill is never signalled.
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) {
    if (errno == ESRCH) return {};
    return fail_errno("pidfd_open " + std::to_string(pid));
  }
  if (::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0) != 0 && errno != ESRCH)
    return fail_errno("kill " + std::to_string(pid));
  pollfd waiter{fd.get(), POLLIN, 0};
  if (::poll(&waiter, 1, 5000) != 1) return fail("process " + std::to_string(pid) + " survived SIGKILL for 5 s");
  siginfo_t info{};
  ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(fd.get()), &info, WEXITED | WNOHANG);  // ours: reap
  return {};
}

std::vector<pid_t> cgroup_pids(const fs::path& dir) {
  std::ifstream in(dir / "cgroup.procs");
  std::vector<pid_t> pids;
  for (pid_t pid; in >> pid;) pids.push_back(pid);
  return pids;
}

// Leaves first: a cgroup can be removed only once it has no children and no tasks.
Result<void> remove_cgroup(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      if (auto removed = remove_cgroup(entry.path()); !removed) return removed;
  // A frozen v1 task cannot act on SIGKILL until it is thawed.
  if (fs::exists(dir / "freezer.state")) std::ofstream(dir / "freezer.state") << "THAWED";
  if (fs::exists(dir / "cgroup.kill")) std::ofstream(dir / "cgroup.kill") << "1";
  for (pid_t pid : cgroup_pids(dir))
    if (auto killed = kill_process(pid); !killed) return killed;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (::rmdir(dir.c_str()) != 0) {
    if (errno == ENOENT) return {};
    if (errno != EBUSY || std::chrono::steady_clock::now() > deadline) return fail_errno("rmdir " + in_quotes(dir.string()));
    std::this_thread::sleep_for(10ms);
  }
  return {};
}

Result<void> detach_mount(const fs::path& path) {
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return fail_errno("umount " + in_quotes(path.string()));
  return {};
}

// Mounts below `dir` first, so that removing the tree never reaches into a mounted file
// system (the image a container's rootfs was bound from, say).
Result<void> remove_tree(const fs::path& dir, const HostRoots& roots) {
  std::vector<Artifact> mounts;
  for (const auto& artifact : isobench_mounts(roots.mountinfo))
    if ((artifact.id + "/").starts_with(dir.string() + "/"))
      mounts.push_back(artifact);
  std::sort(mounts.begin(), mounts.end(), [](const Artifact& a, const Artifact& b) { return a.id.size() > b.id.size(); });
  for (const auto& mount : mounts)
    if (auto detached = detach_mount(mount.id); !detached) return detached;
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return fail_errno("remove " + in_quotes(dir.string()), ec.value());
  return {};
}

// posix_spawn takes a path, and `ip` and `nft` live in sbin, which PATH may lack.
std::string sbin_tool(const std::string& name) {
  for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"})
    if (::access((dir + name).c_str(), X_OK) == 0) return dir + name;
  return name;
}

}  // namespace

Result<void> remove_artifact(const Artifact& artifact, const HostRoots& roots) {
  switch (artifact.kind) {
    case ArtifactKind::kProcess: {
      // A containerd shim's socket outlives a SIGKILL: found before, removed after.
      pid_t pid = static_cast<pid_t>(std::stol(artifact.id));
      auto sockets = unix_sockets_held_under({pid}, "/run/containerd/s", roots.proc);
      if (auto killed = kill_process(pid); !killed) return killed;
      for (const auto& socket : sockets)
        if (::unlink(socket.c_str()) != 0 && errno != ENOENT) return fail_errno("unlink " + in_quotes(socket.string()));
      return {};
    }
    case ArtifactKind::kCgroup:
      return remove_cgroup(artifact.id);
    case ArtifactKind::kMount:
      return detach_mount(artifact.id);
    case ArtifactKind::kNetns: {
      if (auto detached = detach_mount(artifact.id); !detached) return detached;
      if (::unlink(artifact.id.c_str()) != 0 && errno != ENOENT) return fail_errno("unlink " + in_quotes(artifact.id));
      return {};
    }
    case ArtifactKind::kNetDevice: {
      // Deleting one end of a veth pair deletes the other.
      if (!fs::exists(artifact.id)) return {};
      auto done = capture_output({sbin_tool("ip"), "link", "delete", fs::path(artifact.id).filename().string()},
                                 Deadline::after(std::chrono::seconds(5)));
      if (!done) return std::unexpected(done.error());
      return {};
    }
    case ArtifactKind::kNftTable: {
      // id is "FAMILY NAME": only the table isobench created, with every rule in it.
      auto space = artifact.id.find(' ');
      if (space == std::string::npos) return fail("bad nftables table id " + in_quotes(artifact.id));
      auto done = capture_output({sbin_tool("nft"), "delete", "table", artifact.id.substr(0, space), artifact.id.substr(space + 1)},
                                 Deadline::after(std::chrono::seconds(5)));
      if (!done) return std::unexpected(done.error());
      return {};
    }
    case ArtifactKind::kLibvirtState:
      return remove_tree(artifact.id, roots);
    case ArtifactKind::kTempDir: {
      // A killed run's engine dir lists the host paths its engine made on first use: the
      // artifact itself, or an engine dir in it (a state dir under /tmp, as tests use).
      (void)remove_recorded_host_paths(artifact.id);
      std::error_code ec;
      for (const auto& entry : fs::directory_iterator(artifact.id, ec))
        if (entry.is_directory(ec) && !entry.is_symlink(ec)) (void)remove_recorded_host_paths(entry.path());
      return remove_tree(artifact.id, roots);
    }
  }
  return {};
}

std::vector<Removal> remove_artifacts(std::vector<Artifact> artifacts, const HostRoots& roots) {
  std::stable_sort(artifacts.begin(), artifacts.end(), [](const Artifact& a, const Artifact& b) {
    // Deeper mounts first, so that a parent is never detached under a child.
    if (a.kind == b.kind && a.kind == ArtifactKind::kMount) return a.id.size() > b.id.size();
    return a.kind < b.kind;
  });
  std::vector<Removal> out;
  for (auto& artifact : artifacts) {
    auto removed = remove_artifact(artifact, roots);
    out.push_back({std::move(artifact), removed ? std::nullopt : std::optional<Error>(removed.error())});
  }
  return out;
}

}  // namespace isobench::safety
