// Self-timing for the overhead workloads: each workload measures its own window inside
// the instance, so the harness (and, for a guest, the host side) is idle while it runs.
#pragma once

#include <time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace workload {

inline std::int64_t monotonic_now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

struct TimedRun {
  std::uint64_t ops = 0;
  std::int64_t ns = 0;
  double ns_per_op() const { return ops == 0 ? 0 : static_cast<double>(ns) / static_cast<double>(ops); }
  double seconds() const { return static_cast<double>(ns) / 1e9; }
};

// Calls `batch(n)` with n = 1, 2, 4, ... until the timed batches add up to `budget_ns`.
// A batch times its own window and returns its nanoseconds, or nullopt on failure (its
// error already set), so set-up between operations can stay outside the window.
template <class Batch>
std::optional<TimedRun> run_for(std::int64_t budget_ns, Batch&& batch) {
  TimedRun run;
  std::uint64_t n = 1;
  while (run.ns < budget_ns) {
    std::optional<std::int64_t> ns = batch(n);
    if (!ns) return std::nullopt;
    run.ops += n;
    run.ns += *ns;
    if (n < (1ULL << 20)) n *= 2;
  }
  return run;
}

// A positive integer argument; `what` names it in the error.
std::optional<std::uint64_t> parse_count(std::string_view text);

// `what: strerror(errno)`, for the error of a failed system call.
std::string errno_message(std::string_view what);

}  // namespace workload
