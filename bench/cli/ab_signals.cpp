#include "ab_signals.hpp"

#include <atomic>
#include <chrono>

namespace isobench::cli {
namespace {

std::atomic<int> g_signal{0};
std::atomic<pid_t> g_forward{0};

extern "C" void on_ab_signal(int sig) {
  g_signal.store(sig);
  pid_t child = g_forward.load();
  if (child > 0 && sig == SIGTERM) ::kill(child, sig);
}

}  // namespace

int ab_signal() { return g_signal.load(); }
void forward_sigterm_to(pid_t pid) { g_forward.store(pid); }

AbSignalScope::AbSignalScope() {
  struct sigaction action{};
  action.sa_handler = on_ab_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, &old_int_);
  ::sigaction(SIGTERM, &action, &old_term_);
  // A side that died leaves its pipe without a reader: a write must fail, not kill ab.
  struct sigaction ignore{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  ::sigaction(SIGPIPE, &ignore, &old_pipe_);
}

AbSignalScope::~AbSignalScope() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  ::sigaction(SIGPIPE, &old_pipe_, nullptr);
}

Result<std::optional<ExitStatus>> wait_unless_signalled(ChildProcess& child) {
  while (ab_signal() == 0) {
    auto status = child.wait(Deadline::after(std::chrono::milliseconds(100)));
    if (status) return std::optional<ExitStatus>(*status);
    if (!status.error().is_timeout()) return std::unexpected(status.error());
  }
  return std::optional<ExitStatus>();
}

}  // namespace isobench::cli
