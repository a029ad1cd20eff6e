#include "lifecycle.hpp"

#include <nlohmann/json.hpp>

namespace isobench {
namespace {

// The workload says why it failed in its result line ("bad SECONDS `soon`"); the
// backend only sees how the process or guest ended. A failure reason carries both.
void add_workload_error(Outcome& outcome) {
  if (outcome.result_line.empty()) return;
  nlohmann::json result = nlohmann::json::parse(outcome.result_line, nullptr, /*allow_exceptions=*/false);
  if (!result.is_object() || result.value("ok", true) || !result.contains("error") || !result["error"].is_string())
    return;
  std::string error = result["error"].get<std::string>();
  // A guest backend already quotes the result line's error ("workload failed: ...").
  if (outcome.failure.find(error) != std::string::npos) return;
  outcome.failure = outcome.failure.empty() ? error : outcome.failure + ": " + error;
}

}  // namespace

Result<LifecycleRecord> run_lifecycle(Backend& backend, const LaunchOptions& options,
                                      const LifecycleTimeouts& timeouts) {
  auto launched = backend.launch(options);
  if (!launched) return std::unexpected(launched.error().with_context("launch"));
  std::unique_ptr<Instance> instance = std::move(*launched);

  auto ready = instance->wait_ready(Deadline::after(timeouts.ready));
  if (!ready) return std::unexpected(ready.error().with_context("ready"));  // destructor tears down

  auto outcome = instance->wait_exit(Deadline::after(timeouts.exit));
  if (!outcome) return std::unexpected(outcome.error().with_context("exit"));

  auto torn_down = instance->teardown();
  if (!torn_down) return std::unexpected(torn_down.error().with_context("teardown"));

  LifecycleRecord record;
  record.phases = instance->phases();
  record.outcome = std::move(*outcome);
  add_workload_error(record.outcome);
  record.attributes = instance->attributes();
  return record;
}

}  // namespace isobench
