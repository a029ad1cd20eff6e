#include "process_instance.hpp"

#include <cstdio>

namespace isobench {

ProcessInstance::ProcessInstance(ChildProcess child, LineReader output)
    : child_(std::move(child)), stream_(std::move(output)) {}

ProcessInstance::~ProcessInstance() { teardown_in_destructor(); }

void ProcessInstance::teardown_in_destructor() noexcept {
  if (torn_down_) return;
  auto done = teardown();
  if (!done) std::fprintf(stderr, "isobench: teardown: %s\n", done.error().describe().c_str());
}

Result<std::string> ProcessInstance::wait_ready(Deadline deadline) {
  auto line = stream_.await(kReadyTag, deadline);
  if (!line) {
    auto err = line.error();
    if (err.errno_value == ETIMEDOUT) return fail("not ready before the timeout");
    if (err.errno_value == ENODATA) {
      // The workload ended (or never started) without announcing readiness.
      auto status = child_.wait(Deadline::after(std::chrono::seconds(5)));
      std::string why = status ? explain_failure(*status, false) : status.error().describe();
      return fail("ended before ready: " + (why.empty() ? std::string("no readiness line") : why));
    }
    return std::unexpected(err.with_context("wait for readiness"));
  }
  phases_.mark("ready");
  return line;
}

Result<Outcome> ProcessInstance::wait_exit(Deadline deadline) {
  Outcome outcome;
  auto result = stream_.await(kResultTag, deadline);
  if (result) {
    outcome.result_line = std::move(*result);
  } else if (result.error().errno_value == ETIMEDOUT) {
    return fail("no result before the timeout");
  }
  // The output ends when the workload exits (and with it every process that shared
  // the pipe); reading to the end first lets the reap below find a zombie at once.
  if (auto rest = stream_.reader().drain(deadline); !rest && rest.error().errno_value == ETIMEDOUT)
    return fail("did not exit before the timeout");
  auto status = child_.wait(deadline);
  if (!status) {
    if (status.error().errno_value == ETIMEDOUT) return fail("did not exit before the timeout");
    return std::unexpected(status.error());
  }
  phases_.mark("exited");
  outcome.status = *status;
  outcome.failure = explain_failure(*status, !outcome.result_line.empty());
  return outcome;
}

std::string ProcessInstance::explain_failure(const ExitStatus& status, bool has_result) {
  std::string why;
  if (!status.success())
    why = status.describe();
  else if (!has_result)
    why = "exited without a result line";
  if (!why.empty() && !stream_.last_console_line().empty()) why += ": " + stream_.last_console_line();
  return why;
}

Result<void> ProcessInstance::teardown() {
  if (torn_down_) return {};
  torn_down_ = true;
  child_.kill_and_reap();
  auto released = release_resources();
  phases_.mark("torn_down");
  return released;
}

std::vector<pid_t> ProcessInstance::host_pids() const {
  if (!child_.running()) return {};
  return {child_.pid()};
}

}  // namespace isobench
