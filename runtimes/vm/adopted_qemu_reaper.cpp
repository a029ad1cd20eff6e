#include "adopted_qemu_reaper.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "../common/unique_fd.hpp"

namespace isobench::vm {
namespace {

// One thread for the whole process, polling a wake-up eventfd and one pidfd per QEMU.
// It lives until exit (detached): a joinable thread in a static would be joined after
// main, with other statics already gone.
class Reaper {
 public:
  static Reaper& instance() {
    static Reaper* reaper = new Reaper();  // never destroyed, see above
    return *reaper;
  }

  void add(UniqueFd pidfd) {
    std::lock_guard lock(mutex_);
    pending_.push_back(std::move(pidfd));
    std::uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0) std::perror("isobench: wake the QEMU reaper");
  }

 private:
  Reaper() : wake_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!wake_) {
      std::perror("isobench: eventfd for the QEMU reaper");
      return;
    }
    std::thread([this] { run(); }).detach();
  }

  void run() {
    std::vector<UniqueFd> watched;
    for (;;) {
      std::vector<pollfd> fds{{wake_.get(), POLLIN, 0}};
      for (const UniqueFd& fd : watched) fds.push_back({fd.get(), POLLIN, 0});
      if (::poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        std::perror("isobench: QEMU reaper: poll");
        return;
      }
      if (fds[0].revents & POLLIN) {
        std::uint64_t count = 0;
        (void)::read(wake_.get(), &count, sizeof count);
        std::lock_guard lock(mutex_);
        for (UniqueFd& fd : pending_) watched.push_back(std::move(fd));
        pending_.clear();
      }
      // A pidfd polls readable once its process has exited; reap it then. Indices
      // shift by one against fds (the eventfd first) and watched only shrinks after.
      std::vector<UniqueFd> still;
      for (std::size_t i = 0; i < watched.size(); ++i) {
        bool exited = i + 1 < fds.size() && (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR));
        if (!exited) {
          still.push_back(std::move(watched[i]));
          continue;
        }
        siginfo_t info{};
        // ECHILD: not (or no longer) ours; either way nothing more to do.
        (void)::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(watched[i].get()), &info, WEXITED | WNOHANG);
      }
      watched = std::move(still);
    }
  }

  UniqueFd wake_;
  std::mutex mutex_;
  std::vector<UniqueFd> pending_;
};

}  // namespace

Result<void> become_child_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) return fail_errno("prctl(PR_SET_CHILD_SUBREAPER)");
  return {};
}

void reap_when_exited(pid_t pid) {
  if (pid <= 0) return;
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return;  // already gone and reaped: nothing to wait for
  Reaper::instance().add(UniqueFd(fd));
}

}  // namespace isobench::vm
