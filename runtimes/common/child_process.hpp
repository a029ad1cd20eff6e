// A child process owned through a pidfd: killed and reaped on every path.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>
#include <string>

#include "clock.hpp"
#include "error.hpp"
#include "unique_fd.hpp"

namespace isobench {

// How a process ended, as waitid(2) reports it.
struct ExitStatus {
  bool exited = false;  // true: exit_code is valid; false: killed by term_signal
  int exit_code = 0;
  int term_signal = 0;

  bool success() const { return exited && exit_code == 0; }
  std::string describe() const;  // "exit code 3", "killed by signal 9 (Killed)"
};

class ChildProcess {
 public:
  ChildProcess() = default;
  // Takes ownership of a running child; pidfd may be invalid on kernels without pidfd_open.
  ChildProcess(pid_t pid, UniqueFd pidfd) : pid_(pid), pidfd_(std::move(pidfd)) {}
  // Adopts a child by pid, opening a pidfd for it.
  static Result<ChildProcess> adopt(pid_t pid);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills (SIGKILL) and reaps a child that is still running. Never throws.
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  int pidfd() const { return pidfd_.get(); }
  bool running() const { return pid_ > 0 && !status_; }

  // Waits for the child to exit; a timeout error (Error::is_timeout) when the deadline passes first.
  Result<ExitStatus> wait(Deadline deadline);
  Result<void> signal(int sig);
  // SIGKILL and reap; returns the status (a no-op for a child already reaped).
  ExitStatus kill_and_reap();

 private:
  // waitid(2) on this child, retried on EINTR; false on any other error.
  bool waitid_once(siginfo_t& info, int extra_flags);

  pid_t pid_ = -1;
  UniqueFd pidfd_;
  std::optional<ExitStatus> status_;
};

}  // namespace isobench
