// SIGINT/SIGTERM while `bench ab` runs. The handler only stores the signal and passes a
// SIGTERM on to the process ab is waiting for (the terminal's SIGINT reaches the whole
// process group by itself); every wait in ab polls `ab_signal()` so that it stops within
// a tenth of a second, whatever it was waiting for (a block, a side's answer, a build).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "runtimes/common/child_process.hpp"

namespace isobench::cli {

// 0 while no SIGINT/SIGTERM reached ab; otherwise its number.
int ab_signal();

// The process a SIGTERM to ab is passed on to (0: none) while ab waits for it.
void forward_sigterm_to(pid_t pid);

// Installs the handlers for its lifetime.
class AbSignalScope {
 public:
  AbSignalScope();
  ~AbSignalScope();
  AbSignalScope(const AbSignalScope&) = delete;
  AbSignalScope& operator=(const AbSignalScope&) = delete;

 private:
  struct sigaction old_int_{}, old_term_{}, old_pipe_{};
};

// Waits for `child` to exit; nullopt when a signal reached ab first (the child still runs).
Result<std::optional<ExitStatus>> wait_unless_signalled(ChildProcess& child);

}  // namespace isobench::cli
