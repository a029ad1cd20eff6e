#include "private_dockerd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "runtimes/common/unix_sockets.hpp"
#include "runtimes/engine/engine_host.hpp"
#include "unix_http.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// Directories dockerd 20.10 and its containerd 1.6 create on the host whatever their
// roots (parents first): the plugin dir, the shims' sockets, the "opt" plugin's dirs.
const fs::path kHostDirs[] = {"/run/docker",       "/run/docker/plugins", "/run/containerd",
                              "/run/containerd/s", "/opt/containerd",     "/opt/containerd/bin",
                              "/opt/containerd/lib"};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Mount points at or below `dir`, deepest first.
std::vector<std::string> mounts_below(const fs::path& dir) {
  std::vector<std::string> out;
  std::istringstream lines(read_file("/proc/self/mountinfo"));
  const std::string prefix = dir.string() + "/";
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    // isobench's paths have no characters that mountinfo escapes.
    if (mount_point == dir.string() || mount_point.starts_with(prefix)) out.push_back(mount_point);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

}  // namespace

// The socket's directory is watched with inotify: dockerd creates the socket, then
// chmods it once it listens, so a connection is tried at each change and at no other time.
Result<void> wait_until_dockerd_serves(const fs::path& socket, ChildProcess& daemon, Deadline deadline) {
  UniqueFd watch(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!watch) return fail_errno("inotify_init1");
  if (::inotify_add_watch(watch.get(), socket.parent_path().c_str(), IN_CREATE | IN_ATTRIB | IN_MOVED_TO) < 0)
    return fail_errno("inotify_add_watch " + in_quotes(socket.parent_path()));
  for (;;) {
    if (::access(socket.c_str(), F_OK) == 0) {
      auto reply = unix_http_get(socket, "/_ping", deadline);
      if (reply && reply->status == 200) return {};
      if (reply) return fail("dockerd answered /_ping with HTTP " + std::to_string(reply->status));
      // Not listening yet (ECONNREFUSED): the chmod that follows listen() wakes us.
      if (reply.error().is_timeout()) return fail_timeout("dockerd did not answer /_ping before the deadline");
      if (reply.error().errno_value != ECONNREFUSED && reply.error().errno_value != ENOENT)
        return std::unexpected(reply.error());
    }
    pollfd waits[2] = {{watch.get(), POLLIN, 0}, {daemon.pidfd(), POLLIN, 0}};
    int n = ::poll(waits, 2, deadline.poll_timeout_ms());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("poll");
    if (n == 0) return fail_timeout("dockerd did not create " + in_quotes(socket) + " before the deadline");
    if (waits[1].revents != 0) {
      auto status = daemon.wait(Deadline::after(std::chrono::seconds(1)));
      return fail("dockerd exited before serving: " + (status ? status->describe() : status.error().describe()));
    }
    char events[4096];
    while (::read(watch.get(), events, sizeof events) > 0) {
    }
  }
}

fs::path private_dockerd_dir(const fs::path& state_dir, pid_t owner) {
  return state_dir / ("isobench-docker-" + std::to_string(owner));
}

Result<PrivateDockerd> PrivateDockerd::start(const fs::path& dockerd, const fs::path& state_dir, Deadline deadline) {
  // dockerd 20.10 uses a containerd already answering at /run/containerd instead of its
  // own: that one is the host's, and bench must not drive it.
  if (::access("/run/containerd/containerd.sock", F_OK) == 0)
    return fail("a containerd is running at /run/containerd (the host's), which dockerd 20.10 would use instead of "
                "its own: stop it, or give bench your daemon with --docker-host");
  PrivateDockerd daemon;
  daemon.dir_ = private_dockerd_dir(state_dir, ::getpid());
  daemon.cgroup_parent_ = "/isobench-docker-" + std::to_string(::getpid());
  for (const auto& dir : kHostDirs)
    if (::access(dir.c_str(), F_OK) != 0) daemon.created_host_dirs_.push_back(dir);
  std::error_code ec;
  if (fs::exists(daemon.dir_, ec)) fs::remove_all(daemon.dir_, ec);  // a pid's earlier run, long dead
  fs::create_directories(daemon.dir_ / "data", ec);
  if (!ec) fs::create_directories(daemon.dir_ / "exec", ec);
  if (ec) return fail_errno("create " + in_quotes(daemon.dir_), ec.value());
  fs::permissions(daemon.dir_, fs::perms::owner_all, ec);
  // For `bench clean`, should this run be killed before stop().
  if (auto recorded = record_host_paths(daemon.created_host_dirs_, daemon.dir_); !recorded) return std::unexpected(recorded.error());
  {
    std::ofstream config(daemon.dir_ / "daemon.json");
    // dockerd 20.10 writes a trust key to /etc/docker/key.json unless told where.
    config << "{\"deprecated-key-path\": \"" << (daemon.dir_ / "key.json").string() << "\"}\n";
    if (!config) return fail("write " + in_quotes(daemon.dir_ / "daemon.json"));
  }
  UniqueFd log(::open((daemon.dir_ / "dockerd.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!log) return fail_errno("create " + in_quotes(daemon.dir_ / "dockerd.log"));
  const std::string d = daemon.dir_.string();
  std::vector<std::string> argv = {dockerd.string(),
                                   "--config-file", d + "/daemon.json",
                                   "--data-root", d + "/data",
                                   "--exec-root", d + "/exec",
                                   "--host", "unix://" + d + "/docker.sock",
                                   "--pidfile", d + "/docker.pid",
                                   "--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=none",
                                   "--cgroup-parent", daemon.cgroup_parent_,
                                   "--exec-opt", "native.cgroupdriver=cgroupfs"};
  std::int64_t spawned_ns = monotonic_ns();
  auto child = spawn_process(argv, {-1, log.get(), log.get()});
  if (!child) return std::unexpected(child.error().with_context("dockerd"));
  daemon.daemon_ = std::move(*child);
  if (auto serving = wait_until_dockerd_serves(daemon.socket(), daemon.daemon_, deadline); !serving) {
    std::string tail = read_file(daemon.dir_ / "dockerd.log");
    tail = tail.substr(tail.size() > 300 ? tail.size() - 300 : 0);
    std::replace(tail.begin(), tail.end(), '\n', ' ');
    Error error = serving.error();
    error.with_context("dockerd");
    error.message += " (its log ends: " + tail + ")";
    (void)daemon.stop();
    return std::unexpected(error);
  }
  daemon.start_s_ = static_cast<double>(monotonic_ns() - spawned_ns) / 1e9;
  return daemon;
}

pid_t PrivateDockerd::containerd_pid() const {
  for (pid_t pid : processes_naming(dir_.string() + "/exec/containerd/containerd.toml")) return pid;
  return 0;
}

PrivateDockerd::~PrivateDockerd() {
  if (dir_.empty() || stopped_) return;
  if (auto stopped = stop(); !stopped)
    std::fprintf(stderr, "isobench: private dockerd: %s\n", stopped.error().describe().c_str());
}

Result<void> PrivateDockerd::stop() {
  if (stopped_ || dir_.empty()) return {};
  stopped_ = true;
  Result<void> first;
  auto keep = [&first](Result<void> step) {
    if (!step && first) first = step;
  };
  // A clean stop lets dockerd stop its containers, containerd and mounts itself.
  if (daemon_.running()) {
    (void)daemon_.signal(SIGTERM);
    auto ended = daemon_.wait(Deadline::after(std::chrono::seconds(30)));
    if (!ended) {
      daemon_.kill_and_reap();
      keep(fail("dockerd did not stop within 30 s of SIGTERM: killed"));
    }
  }
  // What a killed daemon leaves: containerd, shims (their command lines name the dir).
  Deadline deadline = Deadline::after(std::chrono::seconds(10));
  std::vector<pid_t> left = processes_naming(dir_.string());
  std::vector<fs::path> shim_sockets = unix_sockets_held_under(left, "/run/containerd/s");
  for (pid_t pid : left) kill_and_wait(pid, deadline);
  for (const auto& socket : shim_sockets)
    if (::unlink(socket.c_str()) != 0 && errno != ENOENT) keep(fail_errno("unlink " + in_quotes(socket)));
  keep(remove_cgroup_everywhere(cgroup_parent_.substr(1)));
  for (const auto& mount_point : mounts_below(dir_))
    if (::umount2(mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      keep(fail_errno("umount " + in_quotes(mount_point)));
  std::error_code ec;
  fs::remove_all(dir_, ec);
  if (ec) keep(fail_errno("remove " + in_quotes(dir_), ec.value()));
  // Deepest first; a directory another daemon uses meanwhile is not empty and stays.
  for (auto it = created_host_dirs_.rbegin(); it != created_host_dirs_.rend(); ++it) ::rmdir(it->c_str());
  return first;
}

}  // namespace isobench
