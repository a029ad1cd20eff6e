#include "run_watchdog.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <utility>

namespace isobench::kvm {
namespace {

// glibc keeps the first real-time signals for itself; SIGRTMIN already skips them.
int watchdog_signal() { return SIGRTMIN + 4; }

thread_local kvm_run* t_running = nullptr;
thread_local volatile std::sig_atomic_t t_fired = 0;

void on_watchdog_signal(int) {
  t_fired = 1;
  if (kvm_run* run = t_running) run->immediate_exit = 1;
}

Result<void> install_handler() {
  struct sigaction action{};
  action.sa_handler = on_watchdog_signal;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: the point is for KVM_RUN to come back with EINTR.
  action.sa_flags = 0;
  if (::sigaction(watchdog_signal(), &action, nullptr) != 0) return fail_errno("sigaction for the KVM_RUN watchdog");
  return {};
}

}  // namespace

Result<RunWatchdog> RunWatchdog::create() {
  if (auto installed = install_handler(); !installed) return std::unexpected(installed.error());
  sigevent event{};
  event.sigev_notify = SIGEV_THREAD_ID;
  event.sigev_signo = watchdog_signal();
  event._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
  timer_t timer{};
  if (::timer_create(CLOCK_MONOTONIC, &event, &timer) != 0) return fail_errno("timer_create for the KVM_RUN watchdog");
  return RunWatchdog(timer);
}

RunWatchdog::RunWatchdog(RunWatchdog&& other) noexcept
    : timer_(other.timer_), owns_(std::exchange(other.owns_, false)), limit_(other.limit_) {}

RunWatchdog::~RunWatchdog() {
  if (owns_) ::timer_delete(timer_);
}

Result<void> RunWatchdog::arm(std::chrono::nanoseconds limit) {
  t_fired = 0;
  t_running = nullptr;
  limit_ = limit;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(limit.count() / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(limit.count() % 1'000'000'000);
  if (::timer_settime(timer_, 0, &spec, nullptr) != 0) return fail_errno("timer_settime for the KVM_RUN watchdog");
  return {};
}

void RunWatchdog::disarm() {
  itimerspec zero{};
  ::timer_settime(timer_, 0, &zero, nullptr);
  t_running = nullptr;
}

bool RunWatchdog::enter_run(kvm_run* run) {
  t_running = run;
  // The handler must see t_running before we look at t_fired: a signal after this
  // point sets immediate_exit, one before it is seen here.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return t_fired != 0;
}

void RunWatchdog::forget_run(kvm_run* run) {
  if (t_running == run) t_running = nullptr;
  std::atomic_signal_fence(std::memory_order_seq_cst);
}

bool RunWatchdog::fired() { return t_fired != 0; }

}  // namespace isobench::kvm
