// crash: the workload dies the way a buggy program does, after its readiness line and
// before any result line. It exists so that tests (and the `faults` suite) can check that
// a crashing workload becomes a failed row with a reason and that the run goes on. As a
// guest's /init, the crash kills init and so panics the guest kernel.
#include <signal.h>
#include <unistd.h>

#include <cstdlib>

#include "workload.hpp"

namespace workload {

int run_crash(std::span<const std::string> args, JsonObject&, std::string& error) {
  std::string how = args.empty() ? "segv" : args[0];
  if (args.size() > 1 || (how != "segv" && how != "abort")) {
    error = "crash takes segv or abort";
    return kUsage;
  }
  // As PID 1 of a PID namespace (a container) a self-sent SIGABRT is ignored; glibc's
  // abort() then ends on a faulting instruction, so the container dies of SIGSEGV.
  if (how == "abort") std::abort();
  // A real invalid access, not raise(): the kernel delivers SIGSEGV as it would for a bug.
  // Default disposition first, in case a caller left SIGSEGV ignored or handled.
  ::signal(SIGSEGV, SIG_DFL);
  volatile int* nowhere = nullptr;
  *nowhere = 1;
  ::raise(SIGSEGV);  // not reached: only if the store above somehow did not fault
  return kFailed;
}

}  // namespace workload
