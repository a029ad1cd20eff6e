// `startup`: the whole life of one `noop` instance per backend, with its phases, plus
// `startup/bare/noop/floor`: posix_spawn + waitpid of the same binary with no harness
// logic, so that every run shows what the harness itself adds.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "runtimes/common/spawn.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

void add_floor(Plan& plan, int repetitions) {
  std::string binary = plan.backends().config().workload_binary;
  plan.add({"startup/bare/noop/floor", repetitions, [binary](benchmark::State& state) {
              for (auto _ : state) {
                // Deliberately the plainest sequence: no pipe, no pidfd, no poll.
                char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("noop"), nullptr};
                posix_spawn_file_actions_t actions;
                ::posix_spawn_file_actions_init(&actions);
                ::posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
                std::int64_t start = monotonic_ns();
                pid_t pid = -1;
                int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv, nullptr);
                int status = 0;
                if (rc == 0) ::waitpid(pid, &status, 0);
                std::int64_t end = monotonic_ns();
                ::posix_spawn_file_actions_destroy(&actions);
                if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                  record_failure(state, "posix_spawn " + binary + " noop failed");
                  break;
                }
                state.SetIterationTime(static_cast<double>(end - start) / 1e9);
              }
            }});
}

}  // namespace

void add_startup_suite(Plan& plan) {
  if (!plan.wants_suite("startup")) return;
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    const BackendTraits traits = backend->traits();
    if (!traits.runs_workloads) continue;
    int repetitions = startup_repetitions(plan, name, traits);
    std::string bench_name = "startup/" + name + "/noop";
    const Availability& availability = plan.backends().availability(name);
    if (!availability.available) {
      plan.add_unavailable(bench_name, availability.reason);
      continue;
    }
    LaunchOptions options;
    options.workload = {"noop", {}};
    LifecycleTimeouts timeouts = plan.timeouts_for(name);
    options.ready_timeout = timeouts.ready;
    // A guest's lives are shared with the VM ladder's rows (ladder_vm_suite.cpp).
    std::shared_ptr<SharedLives> lives;
    if (traits.boots_guest_os) {
      lives = plan.shared<SharedLives>(noop_lives_key(name));
      lives->configure(*backend, options, timeouts);
      if (plan.passes_filter(bench_name)) lives->add_row(bench_name);
    }
    BenchmarkSpec spec{bench_name, repetitions, [backend, options, timeouts, lives, bench_name](benchmark::State& state) {
                for (auto _ : state) {
                  auto record = lives ? lives->next(bench_name) : run_lifecycle(*backend, options, timeouts);
                  if (!record) {
                    record_failure(state, record.error().describe());
                    break;
                  }
                  if (!record->outcome.ok()) {
                    record_failure(state, record->outcome.failure);
                    break;
                  }
                  state.SetIterationTime(record->total_s());
                  record_lifecycle(state, *record);
                }
              }};
    // A guest's life is shared by this row and the ladder's two (when it runs).
    if (lives) spec.estimate_s = plan.guess_repetition_s(bench_name) / 3;
    plan.add(std::move(spec));
    // The floor is a plain host process: it belongs next to the backend that is one.
    if (traits.family == BackendFamily::kProcess) add_floor(plan, repetitions);
  }
}

}  // namespace isobench
