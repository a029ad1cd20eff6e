// One instance's whole life, as every suite measures it: launch, wait for ready, wait
// for the result, tear down. Each step is bounded by a timeout; a failure at any step
// still tears the instance down before the error is returned.
#pragma once

#include <chrono>
#include <deque>
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

// Lives of one launch (backend, workload, options) shared by several rows, possibly of
// different suites: each row takes the next record queued for it; when it has none, a
// new life runs and is queued for every row. Rows with the same repetitions use each life
// once. The startup suite's guest `noop` rows and the VM ladder's rows read the same
// lives, so a guest boots once for both (each boot is seconds under TCG).
class SharedLives {
 public:
  void configure(Backend& backend, LaunchOptions options, LifecycleTimeouts timeouts) {
    backend_ = &backend;
    options_ = std::move(options);
    timeouts_ = timeouts;
  }
  void add_row(const std::string& key) { queues_[key]; }
  Result<LifecycleRecord> next(const std::string& key) {
    auto& queue = queues_.at(key);
    if (queue.empty()) {
      ++launches_;
      Result<LifecycleRecord> record = run_lifecycle(*backend_, options_, timeouts_);
      for (auto& [row, pending] : queues_) pending.push_back(record);
    }
    Result<LifecycleRecord> record = std::move(queue.front());
    queue.pop_front();
    return record;
  }
  int launches() const { return launches_; }

 private:
  Backend* backend_ = nullptr;
  LaunchOptions options_;
  LifecycleTimeouts timeouts_;
  std::map<std::string, std::deque<Result<LifecycleRecord>>> queues_;
  int launches_ = 0;
};

// The shared `noop` lives of a guest backend: one per plan (startup and ladder read them).
inline std::string noop_lives_key(const std::string& backend) { return "noop-lives/" + backend; }

}  // namespace isobench
