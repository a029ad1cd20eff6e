#include "process_instance.hpp"

#include <algorithm>
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
    if (err.is_timeout()) return fail("not ready before the timeout");
    if (err.is_end_of_stream()) {
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

namespace {
// While an instance runs past its ready line, what it writes is still read this often (see
// wait_exit), so that output beyond a pipe's capacity never blocks it; soon again after a
// read that found output, so that a chatty instance is not slowed down either.
constexpr auto kDrainSlice = std::chrono::milliseconds(200);
constexpr auto kBusyDrainSlice = std::chrono::milliseconds(1);
}  // namespace

Result<Outcome> ProcessInstance::wait_exit(Deadline deadline) {
  if (child_.pidfd() < 0) return wait_exit_following_output(deadline);
  // After its ready line an instance writes one result line and exits. Following its
  // output costs the harness a wake-up for each write and one more for the end of the
  // pipe, before the one for the exit: each about 8 us here, 2% of a bare launch. So wait
  // for the exit itself (the pidfd) and read the output once the process is gone: one
  // wake-up, as for any waitpid. The events measured are the same.
  std::chrono::nanoseconds slice = kDrainSlice;
  for (;;) {
    std::int64_t slice_end = std::min(deadline.at_ns(), monotonic_ns() + slice.count());
    auto status = child_.wait(Deadline::after(std::chrono::nanoseconds(slice_end - monotonic_ns())));
    if (status) break;
    if (!status.error().is_timeout()) return std::unexpected(status.error());
    auto read = stream_.reader().read_available();
    if (!read) return std::unexpected(read.error().with_context("read output"));
    slice = *read > 0 ? std::chrono::nanoseconds(kBusyDrainSlice) : std::chrono::nanoseconds(kDrainSlice);
    if (deadline.expired()) {
      auto seen = stream_.await(kResultTag, Deadline::after(std::chrono::nanoseconds(0)));
      return fail(seen ? "did not exit before the timeout" : "no result before the timeout");
    }
  }
  // Gone: what it wrote is in the pipe. The end of the stream follows once every process
  // that shared the pipe is gone too (a container's others die with its init).
  return wait_exit_following_output(deadline);
}

Result<Outcome> ProcessInstance::wait_exit_following_output(Deadline deadline) {
  Outcome outcome;
  auto result = stream_.await(kResultTag, deadline);
  if (result) {
    outcome.result_line = std::move(*result);
  } else if (result.error().is_timeout()) {
    return fail("no result before the timeout");
  }
  // The output ends when the workload exits (and with it every process that shared
  // the pipe); reading to the end first lets the reap below find a zombie at once.
  if (auto rest = stream_.reader().drain(deadline); !rest && rest.error().is_timeout())
    return fail("did not exit before the timeout");
  auto status = child_.wait(deadline);
  if (!status) {
    if (status.error().is_timeout()) return fail("did not exit before the timeout");
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
  if (child_.running()) stop_gracefully();
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
