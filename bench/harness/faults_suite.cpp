// `faults`: fault injection, run only when named (`--suite faults`), never by --all.
// Each row makes one instance fail on purpose, the way real workloads fail, so that CI
// checks the harness's promise: a fault becomes a failed row whose reason names it, the
// instance's host resources are released, and the rows after it still run.
//   faults/BACKEND/crash  the workload dies of SIGSEGV after readiness (as a guest's
//                         /init this kills init: the guest kernel panics)
//   faults/BACKEND/hang   the workload idles far past a short exit timeout
//   faults/BACKEND/oom    the workload touches more memory than its cgroup limit, where
//                         the backend enforces one and names the kill (container)
#include "plan.hpp"

namespace isobench {
namespace {

// Long enough for a TCG guest to reach /init, short enough to keep CI quick: the hang
// is detected by the exit phase's own timeout, after readiness.
constexpr std::chrono::seconds kHangExitTimeout{3};

void add_fault(Plan& plan, Backend* backend, const std::string& name, LaunchOptions options,
               LifecycleTimeouts timeouts) {
  options.ready_timeout = timeouts.ready;
  plan.add({name, 1, [backend, options, timeouts](benchmark::State& state) {
              for (auto _ : state) {
                auto record = run_lifecycle(*backend, options, timeouts);
                if (!record) {
                  record_failure(state, record.error().describe());
                  break;
                }
                if (!record->outcome.ok()) {
                  record_failure(state, record->outcome.failure);
                  break;
                }
                // The fault did not happen: a row that says so, not a silent success.
                record_failure(state, "fault not observed: the workload ended normally");
                break;
              }
            }});
}

}  // namespace

void add_faults_suite(Plan& plan) {
  if (!plan.names_suite("faults")) return;
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    const BackendTraits traits = backend->traits();
    if (!traits.runs_workloads) continue;
    const Availability& availability = plan.backends().availability(name);
    LifecycleTimeouts timeouts = plan.timeouts_for(name);

    std::vector<std::pair<std::string, LaunchOptions>> faults;
    LaunchOptions crash;
    crash.workload = {"crash", {"segv"}};
    faults.emplace_back("faults/" + name + "/crash", crash);
    LaunchOptions hang;
    hang.workload = {"idle", {"3600"}};
    faults.emplace_back("faults/" + name + "/hang", hang);
    if (traits.enforces_limits && traits.reports_oom_kill) {
      // A memory cgroup whose OOM kill the backend reads back, so the row can name it.
      LaunchOptions oom;
      oom.workload = {"alloc", {"256M"}};
      oom.limits.memory_bytes = 32ULL << 20;
      faults.emplace_back("faults/" + name + "/oom", oom);
    }
    for (auto& [bench_name, options] : faults) {
      if (!availability.available) {
        plan.add_unavailable(bench_name, availability.reason);
        continue;
      }
      LifecycleTimeouts row_timeouts = timeouts;
      if (bench_name.ends_with("/hang")) row_timeouts.exit = kHangExitTimeout;
      add_fault(plan, backend, bench_name, options, row_timeouts);
    }
  }
}

}  // namespace isobench
