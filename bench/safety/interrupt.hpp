// SIGINT/SIGTERM during a run. Instances are RAII objects inside Google Benchmark's loop,
// so the signal cannot unwind them; instead a watcher thread kills every process of the
// run (its descendants, and the QEMU that libvirt daemonized, found by the run's pid in
// its guest name). Each instance's wait then returns at once with a failure, its own
// destructor releases cgroups, mounts and domains on the normal path, and the plan skips
// every benchmark that had not started. The handler only writes to a pipe.
#pragma once

#include <atomic>
#include <memory>
#include <thread>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"

namespace isobench::safety {

// 0 while no SIGINT/SIGTERM arrived; otherwise the signal's number.
int interrupt_signal();
inline bool interrupted() { return interrupt_signal() != 0; }

// Kills every process that belongs to run `run_pid` except the run itself; returns how many.
int kill_run_processes(pid_t run_pid);

class InterruptWatch {
 public:
  // Installs the handlers and starts the watcher; the destructor restores the previous
  // dispositions (a signal after the run's end acts as it would without isobench).
  static Result<std::unique_ptr<InterruptWatch>> start();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

 private:
  InterruptWatch() = default;
  void watch();

  Pipe wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace isobench::safety
