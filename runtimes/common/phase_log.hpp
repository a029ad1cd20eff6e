// Named CLOCK_MONOTONIC timestamps of one instance's life.
//
// Standard phases, in order: "launch" (the harness starts), "created" (the instance
// exists on the host: process spawned, container cloned, domain defined), "ready"
// (readiness line read), "exited" (result read and host side reaped), "torn_down"
// (every host resource released). Backends add their own between them ("qemu_up",
// "kernel_started").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clock.hpp"

namespace isobench {

struct PhaseMark {
  std::string name;
  std::int64_t at_ns;
};

class PhaseLog {
 public:
  void mark(std::string name) { marks_.push_back({std::move(name), monotonic_ns()}); }
  void mark_at(std::string name, std::int64_t at_ns) { marks_.push_back({std::move(name), at_ns}); }

  std::optional<std::int64_t> at(const std::string& name) const {
    for (const auto& m : marks_)
      if (m.name == name) return m.at_ns;
    return std::nullopt;
  }
  // Seconds from phase `from` to phase `to`, when both were marked.
  std::optional<double> seconds(const std::string& from, const std::string& to) const {
    auto a = at(from), b = at(to);
    if (!a || !b) return std::nullopt;
    return static_cast<double>(*b - *a) / 1e9;
  }
  const std::vector<PhaseMark>& marks() const { return marks_; }

 private:
  std::vector<PhaseMark> marks_;
};

}  // namespace isobench
