#include "child_process.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace isobench {
namespace {

ExitStatus from_siginfo(const siginfo_t& info) {
  ExitStatus status;
  if (info.si_code == CLD_EXITED) {
    status.exited = true;
    status.exit_code = info.si_status;
  } else {
    status.term_signal = info.si_status;
  }
  return status;
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(exit_code);
  return "killed by signal " + std::to_string(term_signal) + " (" + strsignal(term_signal) + ")";
}

bool ChildProcess::waitid_once(siginfo_t& info, int extra_flags) {
  for (;;) {
    int rc = pidfd_ ? ::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | extra_flags)
                    : ::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | extra_flags);
    if (rc == 0) return true;
    if (errno != EINTR) return false;
  }
}

Result<ChildProcess> ChildProcess::adopt(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return fail_errno("pidfd_open " + std::to_string(pid));
  return ChildProcess(pid, UniqueFd(fd));
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      pidfd_(std::move(other.pidfd_)),
      status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    pidfd_ = std::move(other.pidfd_);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

ChildProcess::~ChildProcess() { kill_and_reap(); }

Result<ExitStatus> ChildProcess::wait(Deadline deadline) {
  if (status_) return *status_;
  if (pid_ <= 0) return fail("wait: no child process");
  siginfo_t info{};
  // Most waits find the child already gone (its output ended first): reap it without
  // paying for a poll and a wake-up.
  if (waitid_once(info, WNOHANG) && info.si_pid != 0) {
    status_ = from_siginfo(info);
    return *status_;
  }
  if (pidfd_) {
    // A pidfd becomes readable when the process exits; poll gives us a deadline.
    pollfd pfd{pidfd_.get(), POLLIN, 0};
    for (;;) {
      int n = ::poll(&pfd, 1, deadline.poll_timeout_ms());
      if (n > 0) break;
      if (n == 0) return fail_timeout("wait for pid " + std::to_string(pid_));
      if (errno != EINTR) return fail_errno("poll pidfd of pid " + std::to_string(pid_));
    }
  }
  info = {};
  if (!waitid_once(info, 0)) return fail_errno("waitid pid " + std::to_string(pid_));
  status_ = from_siginfo(info);
  return *status_;
}

Result<void> ChildProcess::signal(int sig) {
  if (!running()) return {};
  int rc = pidfd_ ? static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd_.get(), sig, nullptr, 0))
                  : ::kill(pid_, sig);
  if (rc != 0 && errno != ESRCH) return fail_errno("signal " + std::to_string(sig) + " to pid " + std::to_string(pid_));
  return {};
}

ExitStatus ChildProcess::kill_and_reap() {
  if (status_) return *status_;
  if (pid_ <= 0) return ExitStatus{};
  (void)signal(SIGKILL);
  auto status = wait(Deadline::never());
  return status ? *status : ExitStatus{};
}

}  // namespace isobench
