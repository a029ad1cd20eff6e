// An Instance whose host side is one child process speaking the workload protocol on a
// pipe: the bare workload, an OCI runtime's `run`, QEMU with its serial console on stdio.
// Backends derive from it to add resources (a cgroup, a bundle dir) and to explain
// failures in their own terms (an OOM kill read from the cgroup).
#pragma once

#include "runtimes/backend.hpp"
#include "protocol.hpp"

namespace isobench {

class ProcessInstance : public Instance {
 public:
  ProcessInstance(ChildProcess child, LineReader output);
  ~ProcessInstance() override;

  Result<std::string> wait_ready(Deadline deadline) override;
  Result<Outcome> wait_exit(Deadline deadline) override;
  Result<void> teardown() override;
  std::vector<pid_t> host_pids() const override;

 protected:
  // Why a run failed, given how the process ended and whether a result line came.
  // Empty means success. The default: non-zero exit or signal, with the last console line.
  virtual std::string explain_failure(const ExitStatus& status, bool has_result);
  // Asks the instance to stop through its own runtime before its host process is
  // killed, so that the process reaps its own children (called only while it runs).
  virtual void stop_gracefully() {}
  // Releases what the derived backend owns; called once, after the child is reaped.
  virtual Result<void> release_resources() { return {}; }

  ChildProcess& child() { return child_; }
  ProtocolStream& stream() { return stream_; }

  // Derived destructors must call this so release_resources() runs while the derived
  // object still exists (a base destructor cannot reach derived overrides).
  void teardown_in_destructor() noexcept;

 private:
  // Reads the result line, then to the end of the output, then reaps: the way for a
  // child without a pidfd, and the end of wait_exit once the child has exited.
  Result<Outcome> wait_exit_following_output(Deadline deadline);

  ChildProcess child_;
  ProtocolStream stream_;
  bool torn_down_ = false;
};

}  // namespace isobench
