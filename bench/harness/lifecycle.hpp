// One instance's whole life, as every suite measures it: launch, wait for ready, wait
// for the result, tear down. Each step is bounded by a timeout; a failure at any step
// still tears the instance down before the error is returned.
#pragma once

#include <chrono>
#include <map>
#include <string>

#include "runtimes/backend.hpp"

namespace isobench {

struct LifecycleTimeouts {
  std::chrono::milliseconds ready{std::chrono::seconds(10)};
  std::chrono::milliseconds exit{std::chrono::seconds(60)};
};

struct LifecycleRecord {
  PhaseLog phases;
  Outcome outcome;
  std::map<std::string, std::string> attributes;

  // launch -> ready, the startup figure.
  double ready_s() const { return phases.seconds("launch", "ready").value_or(0); }
  double create_s() const { return phases.seconds("launch", "created").value_or(0); }
  double teardown_s() const { return phases.seconds("exited", "torn_down").value_or(0); }
  // launch -> torn_down: the whole life, the benchmark's manual time.
  double total_s() const { return phases.seconds("launch", "torn_down").value_or(0); }
};

// Errors name the step that failed ("ready: not ready before the timeout"). A run whose
// workload failed is not an error here: look at record.outcome.failure.
Result<LifecycleRecord> run_lifecycle(Backend& backend, const LaunchOptions& options,
                                      const LifecycleTimeouts& timeouts);

}  // namespace isobench
