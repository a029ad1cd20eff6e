#include "system_daemon.hpp"

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <thread>

#include "runtimes/common/clock.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::vm::testing {
namespace {

constexpr const char* kLibvirtSocket = "/run/libvirt/libvirt-sock";
constexpr const char* kVirtlogdSocket = "/run/libvirt/virtlogd-sock";

}  // namespace

std::vector<std::filesystem::path> run_dir_entries() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/run/libvirt", ec)) found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

Result<ChildDaemon> ChildDaemon::start(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  UniqueFd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!out) return fail_errno("open " + in_quotes(log.string()));
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return fail_errno("fork for " + argv[0]);
  if (pid == 0) {  // only async-signal-safe calls until exec
    ::dup2(out.get(), STDOUT_FILENO);
    ::dup2(out.get(), STDERR_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ChildDaemon child;
  child.pid_ = pid;
  child.name_ = argv[0];
  return child;
}

bool ChildDaemon::running() {
  if (pid_ < 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

Result<void> ChildDaemon::stop() {
  if (pid_ < 0) return {};
  pid_t pid = std::exchange(pid_, -1);
  ::kill(pid, SIGTERM);
  // A daemon shuts down in well under a minute; past that it is killed.
  Deadline deadline = Deadline::after(std::chrono::seconds(60));
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (deadline.expired()) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return fail(name_ + " did not stop within 60 s of SIGTERM; killed");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polls for a state, not a delay
  }
  return {};
}

ChildDaemon::~ChildDaemon() {
  auto stopped = stop();
  if (!stopped) std::fprintf(stderr, "system_daemon: %s\n", stopped.error().describe().c_str());
}

bool socket_answers(const std::filesystem::path& path) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  return ::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
}

std::vector<std::filesystem::path> machine_cgroups() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  auto look_in = [&](const std::filesystem::path& dir) {
    for (const char* name : {"machine", "machine.slice"})
      if (std::filesystem::is_directory(dir / name, ec)) found.push_back(dir / name);
  };
  look_in("/sys/fs/cgroup");
  for (const auto& entry : std::filesystem::directory_iterator("/sys/fs/cgroup", ec))
    if (entry.is_directory(ec) && !entry.is_symlink(ec)) look_in(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

Result<std::unique_ptr<SystemDaemon>> SystemDaemon::ensure() {
  auto owned = std::make_unique<SystemDaemon>();
  SystemDaemon& daemon = *owned;
  if (socket_answers(kLibvirtSocket)) return owned;  // a running daemon: used, never stopped

  std::string dir_template = (std::filesystem::temp_directory_path() / "isobench-test-libvirtd.XXXXXX").string();
  if (::mkdtemp(dir_template.data()) == nullptr) return fail_errno("mkdtemp " + in_quotes(dir_template));
  daemon.private_dir_ = dir_template;
  daemon.cgroups_before_ = machine_cgroups();
  daemon.run_dir_before_ = run_dir_entries();
  const auto& dir = daemon.private_dir_;
  // Without virtlogd a system daemon's domain fails to start (HOST-NOTES.md).
  if (!socket_answers(kVirtlogdSocket)) {
    auto virtlogd = ChildDaemon::start({"virtlogd", "--pid-file", (dir / "virtlogd.pid").string()}, dir / "virtlogd.log");
    if (!virtlogd) return std::unexpected(virtlogd.error());
    daemon.virtlogd_.emplace(std::move(*virtlogd));
  }
  auto libvirtd = ChildDaemon::start({"libvirtd", "--pid-file", (dir / "libvirtd.pid").string()}, dir / "libvirtd.log");
  if (!libvirtd) return std::unexpected(libvirtd.error());
  daemon.libvirtd_.emplace(std::move(*libvirtd));

  // Ready when both sockets answer; a daemon that exits instead is a failure at once.
  Deadline deadline = Deadline::after(std::chrono::seconds(120));
  while (!socket_answers(kLibvirtSocket) || (daemon.virtlogd_ && !socket_answers(kVirtlogdSocket))) {
    if (!daemon.libvirtd_->running()) return fail("libvirtd exited at start; see " + (dir / "libvirtd.log").string());
    if (daemon.virtlogd_ && !daemon.virtlogd_->running())
      return fail("virtlogd exited at start; see " + (dir / "virtlogd.log").string());
    if (deadline.expired()) return fail_timeout("libvirtd's socket " + std::string(kLibvirtSocket) + " within 120 s");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return owned;
}

Result<void> SystemDaemon::stop() {
  Result<void> result;
  if (libvirtd_) {
    if (auto stopped = libvirtd_->stop(); !stopped) result = std::unexpected(stopped.error());
    libvirtd_.reset();
    // The `machine` parents the daemon made: removed when empty (rmdir refuses one that
    // holds anything, which then stays for whoever uses it).
    for (const auto& cgroup : machine_cgroups())
      if (std::find(cgroups_before_.begin(), cgroups_before_.end(), cgroup) == cgroups_before_.end())
        ::rmdir(cgroup.c_str());
  }
  if (virtlogd_) {
    if (auto stopped = virtlogd_->stop(); !stopped && result) result = std::unexpected(stopped.error());
    virtlogd_.reset();
  }
  if (!private_dir_.empty()) {
    // The runtime dirs (qemu/, network/, storage/, ...) that the daemons started here
    // made under /run/libvirt; what was there before stays.
    std::error_code ec;
    for (const auto& entry : run_dir_entries())
      if (std::find(run_dir_before_.begin(), run_dir_before_.end(), entry) == run_dir_before_.end())
        std::filesystem::remove_all(entry, ec);
    std::filesystem::remove_all(std::exchange(private_dir_, {}), ec);
  }
  return result;
}

SystemDaemon::~SystemDaemon() {
  auto stopped = stop();
  if (!stopped) std::fprintf(stderr, "system_daemon: %s\n", stopped.error().describe().c_str());
}

}  // namespace isobench::vm::testing
