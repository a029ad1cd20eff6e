#include <cstdio>
#include <cstring>
#include <iostream>

#include "bench/harness/benchmark_json.hpp"
#include "bench/harness/results_pipeline.hpp"
#include "bench/results/claims.hpp"
#include "bench/harness/manifest.hpp"
#include "bench/harness/plan.hpp"
#include "bench/harness/results_file.hpp"
#include "bench/harness/run_reporter.hpp"
#include "bench/safety/interrupt.hpp"
#include "bench/safety/private_dir.hpp"
#include "bench/safety/run_audit.hpp"
#include "commands.hpp"

namespace isobench::cli {

int usage_error(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  return 2;
}

BackendConfig backend_config_from(const BackendFlags& flags) {
  BackendConfig config;
  config.workload_binary = default_workload_binary();
  config.state_dir = default_state_dir();
  config.guest_kernel = flags.guest_kernel;
  config.libvirt_uri = flags.libvirt_uri;
  config.vm_accel = flags.vm_accel;
  config.vm_machine = flags.vm_machine;
  config.rootfs_mode = flags.rootfs_mode;
  config.runsc_platform = flags.runsc_platform;
  config.docker_host = flags.docker_host;
  // Every command that probes or runs backends (suites, run, --list, doctor) may create the
  // state dir; it holds the guest kernel, images and libvirt's embedded state, so it is
  // made 0700 before anything is written into it.
  if (auto made = safety::make_private_dir(config.state_dir); !made)
    std::fprintf(stderr, "bench: warning: state dir: %s\n", made.error().describe().c_str());
  return config;
}

PlanSelection plan_selection_from(const SuiteRun& run) {
  PlanSelection selection{run.suites, run.backends, run.filter, run.quick, run.repetitions, std::nullopt};
  if (run.slice_count > 1) selection.slice = RepetitionSlice{run.slice_index, run.slice_count};
  return selection;
}

// timings.json beside results.json, and one line on stderr naming where the time went.
void write_timings(const RunTimings& timings, const std::filesystem::path& out_dir) {
  std::filesystem::path path = out_dir / "timings.json";
  if (auto written = write_file_atomically(path, timings.to_json().dump(2) + "\n"); !written) {
    std::fprintf(stderr, "bench: %s\n", written.error().describe().c_str());
    return;
  }
  std::fprintf(stderr, "bench: %s; per benchmark in %s\n", timings.summary().c_str(), path.c_str());
}

void add_all_suites(Plan& plan) {
  for (const auto& suite : suite_table()) suite.add(plan);
}

int run_suites(const Command& command, const std::string& command_line) {
  const SuiteRun& run = command.suites;
  const std::int64_t run_start_ns = monotonic_ns();
  auto timings = std::make_shared<RunTimings>();
  std::filesystem::path out_dir = run.out.value_or(default_results_dir());
  BackendSet backends(backend_config_from(command.backend_flags));
  // What isobench artifacts exist before the run: the leak audit at the end takes only
  // what this run created (bench/safety/leak_audit.hpp has the rule).
  const safety::HostRoots host = safety::host_roots(backends.config().state_dir);
  const safety::RunBaseline baseline = safety::take_baseline(host);
  Plan plan(backends, plan_selection_from(run));
  add_all_suites(plan);
  const std::filesystem::path timings_memory = remembered_timings_path(backends.config().state_dir, run.quick);
  plan.use_measured_priors(remembered_timings(timings_memory));
  if (plan.specs().empty() && run.slice_count > 1) {
    // Every benchmark's share of this slice is zero (fewer repetitions than slices):
    // nothing to run, and no results folder; `bench ab` reads that as an empty block.
    std::fprintf(stderr, "bench: repetition slice %d/%d holds no repetition\n", run.slice_index, run.slice_count);
    return 0;
  }
  if (plan.specs().empty()) return usage_error("no benchmark matches the selection (see bench --list)");
  // A backend the user pointed somewhere unreachable (--libvirt-uri) is refused before
  // anything runs, rather than skipped as a host without it would be.
  for (const auto& name : backends.names()) {
    if (!plan.wants_backend(name)) continue;
    const Availability& availability = backends.availability(name);
    if (availability.bad_input) return usage_error(name + ": " + availability.reason);
  }
  // Only a run that will write results makes their folder (no empty results/<stamp>).
  if (auto ready = prepare_output_dir(out_dir); !ready) return usage_error("--out: " + ready.error().describe());

  // Repetitions of all benchmarks run in random order, so that drift on a noisy host
  // (another tenant, thermal state) spreads over every backend instead of biasing the
  // ones that happened to run last.
  static char flag_interleave[] = "--benchmark_enable_random_interleaving=true";
  static char program[] = "bench";
  char* gb_argv[] = {program, flag_interleave, nullptr};
  int gb_argc = 2;
  benchmark::Initialize(&gb_argc, gb_argv);
  plan.register_with_google_benchmark(timings);
  RunReporter reporter;
  // Probing backends and building the plan (image builds happen in the first repetitions).
  timings->phase("setup", (monotonic_ns() - run_start_ns) / 1e9);
  {
    auto watch = safety::InterruptWatch::start();
    if (!watch) return usage_error(watch.error().describe());
    benchmark::RunSpecifiedBenchmarks(&reporter);
  }
  benchmark::ClearRegisteredBenchmarks();
  const std::int64_t results_start_ns = monotonic_ns();
  // The next run's progress priors; a slice of `bench ab` or an interrupted run saw only
  // part of its benchmarks' costs.
  if (run.slice_count <= 1 && !safety::interrupted()) {
    if (auto kept = remember_timings(*timings, timings_memory); !kept)
      std::fprintf(stderr, "bench: warning: timings for the next run's estimate: %s\n", kept.error().describe().c_str());
  }

  auto parsed = parse_benchmark_json(reporter.json());
  if (!parsed) {
    // Never lose a run silently: keep Google Benchmark's own text, and still audit.
    std::filesystem::path raw = out_dir / "google-benchmark-output.json";
    (void)write_file_atomically(raw, reporter.json());
    std::fprintf(stderr, "bench: internal error: %s (kept as %s)\n", parsed.error().describe().c_str(), raw.c_str());
    (void)backends.shut_down();
    (void)safety::audit_run(baseline, host);  // lists and removes what the run left
    return 1;
  }
  nlohmann::json results = std::move(*parsed);
  // The selected backends only: the others' probes (a private dockerd, a guest) would
  // cost more than a small selection's run (bench ab runs one per block).
  nlohmann::json manifest = environment_manifest(backends, [&plan](std::string_view name) { return plan.wants_backend(name); });
  manifest["command"] = command_line;
  manifest["quick"] = run.quick;
  if (run.slice_count > 1)
    manifest["repetition_slice"] = std::to_string(run.slice_index) + "/" + std::to_string(run.slice_count);
  for (auto& [key, value] : manifest.items()) results["context"][key] = value;
  if (safety::interrupted()) results["context"]["interrupted"] = ::sigabbrev_np(safety::interrupt_signal());
  // A private daemon (docker) stops before the audit, which would otherwise take it for a leak.
  if (auto failures = backends.shut_down(); !failures.empty()) results["context"]["shutdown_failures"] = failures;
  std::vector<std::string> leaks = safety::audit_run(baseline, host);
  if (!leaks.empty()) results["context"]["leaks"] = leaks;
  std::filesystem::path results_path = out_dir / "results.json";
  auto finished = finish_results(results, results_path.string());
  if (!finished) {
    // The rows are still worth keeping: written without the derived sections.
    std::fprintf(stderr, "bench: internal error: %s\n", finished.error().describe().c_str());
  } else {
    for (const auto& warning : *finished) std::fprintf(stderr, "bench: warning: %s\n", warning.c_str());
  }

  if (auto written = write_file_atomically(results_path, results.dump(2) + "\n"); !written) {
    std::fprintf(stderr, "bench: %s\n", written.error().describe().c_str());
    return 1;
  }
  std::fprintf(stderr, "bench: results written to %s\n", results_path.c_str());
  // Shut-down, the leak audit, statistics and claims.
  timings->phase("results", (monotonic_ns() - results_start_ns) / 1e9);
  // SPEC: the run ends with the claims verdict table (computed above, once).
  if (results.contains("claims")) {
    std::fflush(stdout);
    std::fputs(results::claims_table(results["claims"]).c_str(), stdout);
    std::fflush(stdout);
  }
  if (safety::interrupted()) {
    write_timings(*timings, out_dir);
    std::fprintf(stderr, "bench: interrupted by SIG%s; results so far are marked \"interrupted\"\n",
                 ::sigabbrev_np(safety::interrupt_signal()));
    return 128 + safety::interrupt_signal();
  }
  if (!leaks.empty()) {
    write_timings(*timings, out_dir);
    std::fprintf(stderr, "bench: the run left %zu isobench artifact(s) on the host (listed above, removed)\n",
                 leaks.size());
    return 1;
  }
  // SPEC: `bench --all` ends with the report and the claims table; results.json is
  // already on disk, so a report that fails costs only the charts.
  const std::int64_t report_start_ns = monotonic_ns();
  if (run.all && render_report({out_dir}, std::nullopt) != 0)
    std::fprintf(stderr, "bench: report not rendered; results kept in %s (retry: bench report %s)\n",
                 results_path.c_str(), out_dir.c_str());
  if (run.all) timings->phase("report", (monotonic_ns() - report_start_ns) / 1e9);
  write_timings(*timings, out_dir);
  if (reporter.unavailable() > 0)
    std::fprintf(stderr, "bench: %d benchmark(s) skipped: backend unavailable (see bench doctor)\n",
                 reporter.unavailable());
  if (reporter.failures() > 0) {
    std::fprintf(stderr, "bench: %d repetition(s) failed; see error_message in %s\n", reporter.failures(),
                 results_path.c_str());
    return 1;
  }
  return 0;
}

int list_benchmarks(const Command& command) {
  BackendSet backends(backend_config_from(command.backend_flags));
  Plan plan(backends, plan_selection_from(command.suites));
  add_all_suites(plan);
  for (const auto& spec : plan.specs()) std::printf("%s\n", spec.name.c_str());
  std::printf("\nbackends:\n");
  for (const auto& name : backends.names()) {
    const Availability& availability = backends.availability(name);
    if (availability.available)
      std::printf("  %-10s available\n", name.c_str());
    else
      std::printf("  %-10s unavailable: %s\n", name.c_str(), availability.reason.c_str());
  }
  return 0;
}

}  // namespace isobench::cli
