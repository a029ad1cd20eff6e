#include "lifecycle.hpp"

namespace isobench {

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
  record.attributes = instance->attributes();
  return record;
}

}  // namespace isobench
