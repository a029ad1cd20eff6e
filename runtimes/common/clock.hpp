// CLOCK_MONOTONIC timestamps and deadlines, in integer nanoseconds.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace isobench {

inline std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A point in CLOCK_MONOTONIC time after which a wait gives up.
class Deadline {
 public:
  static Deadline after(std::chrono::nanoseconds timeout) {
    return Deadline(monotonic_ns() + timeout.count());
  }
  static Deadline never() { return Deadline(INT64_MAX); }

  // Milliseconds left, for poll(2); never negative, -1 for "no deadline".
  int poll_timeout_ms() const {
    if (at_ns_ == INT64_MAX) return -1;
    std::int64_t left = at_ns_ - monotonic_ns();
    if (left <= 0) return 0;
    return static_cast<int>((left + 999'999) / 1'000'000);
  }
  bool expired() const { return monotonic_ns() >= at_ns_; }
  std::int64_t at_ns() const { return at_ns_; }

 private:
  explicit Deadline(std::int64_t at_ns) : at_ns_(at_ns) {}
  std::int64_t at_ns_;
};

}  // namespace isobench
