#include <unistd.h>

#include <cstdio>

#include "bench/harness/backend_set.hpp"
#include "bench/harness/lifecycle.hpp"
#include "commands.hpp"

namespace isobench::cli {

int run_one_workload(const Command& command) {
  const RunOne& run = command.run_one;
  BackendSet backends(backend_config_from(command.backend_flags));
  Backend* backend = backends.find(run.backend);
  const Availability& availability = backends.availability(run.backend);
  if (!availability.available) return usage_error("backend " + run.backend + " is unavailable: " + availability.reason);
  if (!backend->runs_workloads()) return usage_error("backend " + run.backend + " runs no workload");
  // Limits that need root are a missing prerequisite without it, said before anything
  // starts (the container then runs in a user namespace and gets no cgroup: no delegation
  // is assumed).
  const BackendTraits traits = backend->traits();
  if (traits.enforces_limits && traits.limits_need_root && !run.limits.empty() && ::geteuid() != 0)
    return usage_error(run.backend + ": limits (" + run.limits.describe() +
                       ") need a cgroup, which needs root: run bench as root, or drop --memory/--cpus/--pids");

  LaunchOptions options;
  options.workload = run.workload;
  options.limits = run.limits;
  auto timeout = std::chrono::milliseconds(static_cast<long long>(run.timeout_s * 1000));
  options.ready_timeout = timeout;
  auto record = run_lifecycle(*backend, options, {timeout, timeout});
  if (!record) {
    std::fprintf(stderr, "bench: %s: %s\n", run.backend.c_str(), record.error().describe().c_str());
    return 1;
  }
  if (!record->outcome.result_line.empty()) std::printf("%s\n", record->outcome.result_line.c_str());
  if (record->outcome.ok()) return 0;
  std::fprintf(stderr, "bench: %s %s: %s\n", run.backend.c_str(), run.workload.name.c_str(),
               record->outcome.failure.c_str());
  // The workload's own usage error (exit 2) is the user's input error too.
  const ExitStatus& status = record->outcome.status;
  return status.exited && status.exit_code == 2 ? 2 : 1;
}

}  // namespace isobench::cli
