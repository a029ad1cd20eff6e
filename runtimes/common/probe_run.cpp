#include "probe_run.hpp"

namespace isobench {

Availability probe_by_running_noop(const Launcher& launch, std::chrono::seconds phase_timeout) {
  LaunchOptions options;
  options.workload = {"noop", {}};
  auto instance = launch(options);
  if (!instance) return Availability::no(instance.error().describe());
  auto ready = (*instance)->wait_ready(Deadline::after(phase_timeout));
  auto outcome = ready ? (*instance)->wait_exit(Deadline::after(phase_timeout))
                       : Result<Outcome>(std::unexpected(ready.error()));
  auto torn_down = (*instance)->teardown();
  if (!outcome) return Availability::no("a test container failed: " + outcome.error().describe());
  if (!outcome->ok()) return Availability::no("a test container failed: " + outcome->failure);
  if (!torn_down) return Availability::no("a test container was not torn down: " + torn_down.error().describe());
  return Availability::yes();
}

}  // namespace isobench
