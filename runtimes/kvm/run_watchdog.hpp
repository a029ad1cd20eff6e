// Bounds KVM_RUN in time, so that a guest that never exits cannot hang the harness.
//
// KVM_RUN returns EINTR when a signal is pending for the vCPU's thread. A one-shot POSIX
// timer sends a real-time signal to this thread; its handler also sets kvm_run's
// immediate_exit, which closes the race where the signal lands just before KVM_RUN is
// entered (KVM then returns EINTR at once instead of entering the guest).
//
// One watchdog per thread that runs vCPUs; arm() before a measured window and disarm()
// after it, so no timer syscall falls inside the window.
#pragma once

#include <linux/kvm.h>
#include <time.h>

#include <chrono>

#include "runtimes/common/error.hpp"

namespace isobench::kvm {

class RunWatchdog {
 public:
  // REQUIRES: called on the thread that will run the vCPUs.
  static Result<RunWatchdog> create();
  RunWatchdog(RunWatchdog&& other) noexcept;
  RunWatchdog& operator=(RunWatchdog&&) = delete;
  RunWatchdog(const RunWatchdog&) = delete;
  RunWatchdog& operator=(const RunWatchdog&) = delete;
  ~RunWatchdog();

  Result<void> arm(std::chrono::nanoseconds limit);
  void disarm();
  std::chrono::nanoseconds limit() const { return limit_; }

  // Called by the vCPU right before KVM_RUN: true when the time limit has passed
  // (KVM_RUN must not be entered). Async-signal-safe bookkeeping only.
  static bool enter_run(kvm_run* run);
  // Called when `run` is unmapped, so that a late signal never writes to it.
  static void forget_run(kvm_run* run);
  static bool fired();

 private:
  explicit RunWatchdog(timer_t timer) : timer_(timer), owns_(true) {}
  timer_t timer_{};
  bool owns_ = false;
  std::chrono::nanoseconds limit_{0};
};

// Arms on construction, disarms on destruction.
class ArmedWatchdog {
 public:
  explicit ArmedWatchdog(RunWatchdog& watchdog) : watchdog_(watchdog) {}
  ArmedWatchdog(const ArmedWatchdog&) = delete;
  ArmedWatchdog& operator=(const ArmedWatchdog&) = delete;
  ~ArmedWatchdog() { watchdog_.disarm(); }

 private:
  RunWatchdog& watchdog_;
};

}  // namespace isobench::kvm
