#include "interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <cstdio>

#include "artifacts.hpp"
#include "process_table.hpp"

namespace isobench::safety {
namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_wake_fd{-1};
struct sigaction g_previous_int {}, g_previous_term {};

extern "C" void on_signal(int signal) {
  int saved = errno;
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signal);
  char byte = static_cast<char>(signal);
  int fd = g_wake_fd.load();
  if (fd >= 0) [[maybe_unused]] auto n = ::write(fd, &byte, 1);
  errno = saved;
}

}  // namespace

int interrupt_signal() { return g_signal.load(); }

int kill_run_processes(pid_t run_pid) {
  ProcessTable table;
  int killed = 0;
  for (pid_t pid : table.descendants_of(run_pid))
    if (::kill(pid, SIGKILL) == 0) ++killed;
  // libvirt daemonizes QEMU, so it is no descendant: its guest name carries the run's pid.
  for (const auto& artifact : scan_host(HostRoots{.cgroup = "/nonexistent", .netns = "/nonexistent",
                                                  .net = "/nonexistent", .temp_dirs = {}, .run = "/nonexistent", .state_dir = std::nullopt,
                                                  .nft_tables = false}))
    if (artifact.kind == ArtifactKind::kProcess && artifact.owner == run_pid)
      if (::kill(static_cast<pid_t>(std::stol(artifact.id)), SIGKILL) == 0) ++killed;
  return killed;
}

Result<std::unique_ptr<InterruptWatch>> InterruptWatch::start() {
  std::unique_ptr<InterruptWatch> watch(new InterruptWatch());
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return fail_errno("interrupt watch: pipe");
  watch->wake_ = Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
  g_signal = 0;
  g_wake_fd = watch->wake_.write_end.get();
  struct sigaction action {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (::sigaction(SIGINT, &action, &g_previous_int) != 0 || ::sigaction(SIGTERM, &action, &g_previous_term) != 0)
    return fail_errno("interrupt watch: sigaction");
  watch->thread_ = std::thread([w = watch.get()] { w->watch(); });
  return watch;
}

InterruptWatch::~InterruptWatch() {
  ::sigaction(SIGINT, &g_previous_int, nullptr);
  ::sigaction(SIGTERM, &g_previous_term, nullptr);
  stopping_ = true;
  char byte = 0;
  [[maybe_unused]] auto n = ::write(wake_.write_end.get(), &byte, 1);
  if (thread_.joinable()) thread_.join();
  g_wake_fd = -1;
}

void InterruptWatch::watch() {
  bool announced = false;
  while (!stopping_) {
    // After a signal, keep killing every 100 ms: an instance launched while the plan was
    // still winding down dies too.
    pollfd waiter{wake_.read_end.get(), POLLIN, 0};
    ::poll(&waiter, 1, interrupted() ? 100 : -1);
    char drain[64];
    while (::read(wake_.read_end.get(), drain, sizeof drain) > 0) {
    }
    if (stopping_ || !interrupted()) continue;
    if (!announced) {
      announced = true;
      std::fprintf(stderr, "\nbench: %s: stopping every instance; results so far will be written\n",
                   ::strsignal(interrupt_signal()));
    }
    kill_run_processes(::getpid());
  }
}

}  // namespace isobench::safety
