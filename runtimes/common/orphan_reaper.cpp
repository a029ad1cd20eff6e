#include "orphan_reaper.hpp"

#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "proc_file.hpp"
#include "unique_fd.hpp"

namespace isobench {
namespace {

constexpr int kRescanMs = 100;

std::atomic<long> reaped_count{0};

// The pids of this process's children: every thread's `children` list (the kernel
// reparents an orphan to one thread of the subreaper). Without CONFIG_PROC_CHILDREN,
// every process whose parent is this one.
std::vector<pid_t> children_of_self() {
  std::vector<pid_t> pids;
  bool have_children_files = false;
  if (DIR* tasks = ::opendir("/proc/self/task")) {
    while (dirent* task = ::readdir(tasks)) {
      if (task->d_name[0] == '.') continue;
      std::ifstream in(std::string("/proc/self/task/") + task->d_name + "/children");
      if (!in) continue;
      have_children_files = true;
      for (pid_t pid = 0; in >> pid;) pids.push_back(pid);
    }
    ::closedir(tasks);
  }
  if (have_children_files) return pids;
  const pid_t self = ::getpid();
  if (DIR* proc = ::opendir("/proc")) {
    while (dirent* entry = ::readdir(proc)) {
      char* end = nullptr;
      long pid = std::strtol(entry->d_name, &end, 10);
      if (pid <= 0 || *end != '\0') continue;
      std::string stat = read_proc_file(std::string("/proc/") + entry->d_name + "/stat");
      auto close = stat.rfind(')');
      if (close == std::string::npos) continue;
      std::istringstream rest(stat.substr(close + 1));
      char state = 0;
      pid_t ppid = 0;
      if (rest >> state >> ppid && ppid == self) pids.push_back(static_cast<pid_t>(pid));
    }
    ::closedir(proc);
  }
  return pids;
}

struct ChildState {
  bool adopted_qemu = false;
  bool zombie = false;
};

// /proc/PID/stat: "pid (comm) state ppid pgrp session ...". comm may hold spaces and
// parentheses, so the fields after it are read from the last ')'.
ChildState inspect(pid_t pid, pid_t self, pid_t own_session) {
  std::string stat = read_proc_file("/proc/" + std::to_string(pid) + "/stat");
  auto open = stat.find('(');
  auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  std::string comm = stat.substr(open + 1, close - open - 1);
  std::istringstream rest(stat.substr(close + 1));
  char state = 0;
  pid_t ppid = 0, pgrp = 0, session = 0;
  if (!(rest >> state >> ppid >> pgrp >> session)) return {};
  ChildState child;
  child.adopted_qemu = ppid == self && comm.starts_with("qemu-") && session != own_session;
  child.zombie = state == 'Z';
  return child;
}

// Reaps `pid` if it has exited; the pidfd, when there is one, pins the exact process.
void reap_if_exited(pid_t pid, const UniqueFd& pidfd) {
  siginfo_t info{};
  for (;;) {
    int rc = pidfd ? ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd.get()), &info, WEXITED | WNOHANG)
                   : ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG);
    if (rc == 0 && info.si_pid != 0) ++reaped_count;
    if (rc == 0 || errno != EINTR) return;  // ECHILD: not (or no longer) ours
  }
}

// One thread for the whole process. It lives until exit (detached): a joinable thread
// in a static would be joined after main, with other statics already gone.
class Reaper {
 public:
  static Reaper& instance() {
    static Reaper* reaper = new Reaper();  // never destroyed, see above
    return *reaper;
  }

  // bench is the child subreaper only while a scope lives: outside one, what other
  // backends' tools daemonize (podman's conmon, a shim) goes to init as before, instead
  // of staying this process's zombie (a --all run had gathered 764 conmon zombies).
  void enter() {
    std::lock_guard lock(mutex_);
    if (scopes_++ == 0) {
      (void)become_child_subreaper();
      wake();
    }
  }
  void leave() {
    std::lock_guard lock(mutex_);
    if (--scopes_ == 0) ::prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
  }

 private:
  Reaper() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_) {
      std::perror("isobench: eventfd for the QEMU reaper");
      return;
    }
    std::thread([this] { run(); }).detach();
  }

  void wake() {
    std::uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0) std::perror("isobench: wake the QEMU reaper");
  }

  bool active() {
    std::lock_guard lock(mutex_);
    return scopes_ > 0;
  }

  // Reaps the adopted QEMU zombies among this process's children and starts watching
  // the live ones.
  void scan() {
    const pid_t self = ::getpid();
    const pid_t session = ::getsid(0);
    for (pid_t pid : children_of_self()) {
      if (watched_.contains(pid)) continue;
      ChildState child = inspect(pid, self, session);
      if (!child.adopted_qemu) continue;
      if (child.zombie) {
        reap_if_exited(pid, UniqueFd());
        continue;
      }
      // A failure (EMFILE, say) leaves it to a later scan, which finds it as a zombie.
      int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
      if (fd >= 0) watched_.emplace(pid, UniqueFd(fd));
    }
  }

  void run() {
    for (;;) {
      bool scanning = active();
      if (scanning) scan();
      std::vector<pollfd> fds{{wake_.get(), POLLIN, 0}};
      std::vector<pid_t> order;
      for (const auto& [pid, fd] : watched_) {
        fds.push_back({fd.get(), POLLIN, 0});
        order.push_back(pid);
      }
      // Watched QEMU are waited for even with no scope, so that none stays a zombie.
      int timeout = scanning ? kRescanMs : -1;
      if (::poll(fds.data(), fds.size(), timeout) < 0) {
        if (errno == EINTR) continue;
        std::perror("isobench: QEMU reaper: poll");
        return;
      }
      if (fds[0].revents & POLLIN) {
        std::uint64_t count = 0;
        (void)!::read(wake_.get(), &count, sizeof count);
      }
      // A pidfd polls readable once its process has exited.
      for (std::size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        auto it = watched_.find(order[i - 1]);
        reap_if_exited(it->first, it->second);
        watched_.erase(it);
      }
    }
  }

  UniqueFd wake_;
  std::mutex mutex_;
  int scopes_ = 0;
  std::map<pid_t, UniqueFd> watched_;  // the reaper thread's own
};

}  // namespace

Result<void> become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_CHILD_SUBREAPER)");
  return {};
}

ReapScope::ReapScope() { Reaper::instance().enter(); }

ReapScope::~ReapScope() {
  if (active_) Reaper::instance().leave();
}

long adopted_qemu_reaped() { return reaped_count.load(); }

}  // namespace isobench
