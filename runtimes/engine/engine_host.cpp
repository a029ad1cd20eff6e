#include "engine_host.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <map>

#include "runtimes/common/proc_file.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench {

namespace fs = std::filesystem;

// SIGKILL through a pidfd (never a reused pid), then wait for the exit on it.
void kill_and_wait(pid_t pid, Deadline deadline) {
  UniqueFd fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!fd) return;
  ::syscall(SYS_pidfd_send_signal, fd.get(), SIGKILL, nullptr, 0);
  pollfd waiter{fd.get(), POLLIN, 0};
  while (::poll(&waiter, 1, deadline.poll_timeout_ms()) < 0 && errno == EINTR) {
  }
}

static Result<void> remove_cgroup_tree(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      if (auto removed = remove_cgroup_tree(entry.path()); !removed) return removed;
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
  if (errno != EBUSY) return fail_errno("rmdir " + in_quotes(dir));
  std::ifstream procs(dir / "cgroup.procs");
  Deadline deadline = Deadline::after(std::chrono::seconds(5));
  for (pid_t pid = 0; procs >> pid;) kill_and_wait(pid, deadline);
  if (::rmdir(dir.c_str()) != 0 && errno != ENOENT) return fail_errno("rmdir " + in_quotes(dir));
  return {};
}


std::vector<pid_t> processes_naming(const std::string& needle) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || !std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::string cmdline = read_proc_file(entry.path() / "cmdline");
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    if (cmdline.find(needle) != std::string::npos) out.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return out;
}

Result<void> remove_cgroup_everywhere(const std::string& relative, const fs::path& cgroup_root) {
  Result<void> first;
  auto remove = [&](const fs::path& dir) {
    if (auto removed = remove_cgroup_tree(dir); !removed && first) first = removed;
  };
  remove(cgroup_root / relative);  // a v2 root
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator(cgroup_root, ec))
    if (hierarchy.is_directory(ec) && !hierarchy.is_symlink(ec)) remove(hierarchy.path() / relative);
  return first;
}


HostPathsMadeHere HostPathsMadeHere::before(std::vector<fs::path> paths) {
  HostPathsMadeHere made;
  for (auto& path : paths)
    if (::access(path.c_str(), F_OK) != 0) made.paths_.push_back(std::move(path));
  return made;
}

void HostPathsMadeHere::remove_empty_dirs() const {
  for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) ::rmdir(it->c_str());
}

namespace {

// What the engines of Debian 12 make on first use wherever their roots are, and how each
// may go: dockerd 20.10 and its containerd (directories), podman 4.3 (caches, locks,
// directories).
enum class Removal { kEmptyDir, kTree, kFile };
const std::map<fs::path, Removal>& known_first_use_paths() {
  static const std::map<fs::path, Removal> known = {
      {"/run/docker", Removal::kEmptyDir},
      {"/run/docker/plugins", Removal::kEmptyDir},
      {"/run/containerd", Removal::kEmptyDir},
      {"/run/containerd/s", Removal::kEmptyDir},
      {"/opt/containerd", Removal::kEmptyDir},
      {"/opt/containerd/bin", Removal::kEmptyDir},
      {"/opt/containerd/lib", Removal::kEmptyDir},
      {"/var/lib/containers", Removal::kEmptyDir},
      {"/var/lib/containers/cache", Removal::kTree},
      {"/var/cache/containers", Removal::kTree},
      {"/var/cache/containers/short-name-aliases.conf.lock", Removal::kFile},
      {"/etc/cni/net.d/cni.lock", Removal::kFile},
      {"/run/runc", Removal::kEmptyDir},
  };
  return known;
}

}  // namespace

Result<void> record_host_paths(const std::vector<fs::path>& made, const fs::path& engine_dir) {
  fs::path record = engine_dir / kHostPathsRecord;
  std::ofstream out(record, std::ios::trunc);
  for (const auto& path : made) out << path.string() << '\n';
  out.close();
  if (!out) return fail("write " + in_quotes(record));
  return {};
}

std::vector<fs::path> remove_recorded_host_paths(const fs::path& engine_dir) {
  std::vector<fs::path> listed, removed;
  std::ifstream in(engine_dir / kHostPathsRecord);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) listed.emplace_back(line);
  for (auto it = listed.rbegin(); it != listed.rend(); ++it) {
    auto known = known_first_use_paths().find(*it);
    if (known == known_first_use_paths().end()) continue;
    std::error_code ec;
    bool gone = false;
    switch (known->second) {
      case Removal::kEmptyDir: gone = ::rmdir(it->c_str()) == 0; break;
      case Removal::kFile: gone = fs::is_regular_file(*it, ec) && ::unlink(it->c_str()) == 0; break;
      case Removal::kTree: gone = fs::remove_all(*it, ec) > 0 && !ec; break;
    }
    if (gone) removed.push_back(*it);
  }
  return removed;
}

Result<void> HostPathsMadeHere::remove_trees() const {
  Result<void> first;
  for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
    std::error_code ec;
    fs::remove_all(*it, ec);
    if (ec && first) first = fail_errno("remove " + in_quotes(*it), ec.value());
  }
  return first;
}

}  // namespace isobench
