#include "plan.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "bench/safety/interrupt.hpp"
#include "bench/harness/progress.hpp"
#include "bench/harness/row_attributes.hpp"
#include "runtimes/guest/accel.hpp"

namespace isobench {

namespace {
bool contains(const std::vector<std::string>& list, std::string_view item) {
  return list.empty() || std::find(list.begin(), list.end(), item) != list.end();
}
}  // namespace

Plan::Plan(BackendSet& backends, PlanSelection selection) : backends_(backends), selection_(std::move(selection)) {
  if (!selection_.filter.empty()) filter_.emplace(selection_.filter);
}

bool Plan::wants_suite(std::string_view suite) const { return contains(selection_.suites, suite); }
bool Plan::names_suite(std::string_view suite) const {
  return std::find(selection_.suites.begin(), selection_.suites.end(), suite) != selection_.suites.end();
}
bool Plan::wants_backend(std::string_view backend) const { return contains(selection_.backends, backend); }

int repetitions_in_slice(int total, RepetitionSlice slice) {
  if (slice.count <= 1) return total;
  return total / slice.count + (slice.index < total % slice.count ? 1 : 0);
}

int Plan::repetitions(int full, int quick) const {
  int total = selection_.repetitions ? *selection_.repetitions : selection_.quick ? quick : full;
  return selection_.slice ? repetitions_in_slice(total, *selection_.slice) : total;
}

LifecycleTimeouts Plan::timeouts_for(std::string_view backend) const {
  // The backend's own: a guest boots a kernel (seconds under TCG); processes and
  // containers start in milliseconds, so a few seconds already means something is wrong.
  const Backend* found = backends_.find(backend);
  if (found == nullptr) return {};
  BackendTraits traits = found->traits();
  return {traits.ready_timeout, traits.exit_timeout};
}

bool Plan::emulated_guest(std::string_view backend) const {
  const Backend* found = backends_.find(backend);
  if (found == nullptr || !found->traits().boots_guest_os) return false;
  if (!guests_emulated_) {
    // The guest backends' own choice (runtimes/guest/accel.hpp), from the same inputs.
    auto accel = guest::choose_accel(backends_.config().vm_accel, guest::read_host_virt());
    guests_emulated_ = accel && accel->accel == "tcg";
  }
  return *guests_emulated_;
}

bool Plan::passes_filter(const std::string& name) const { return !filter_ || std::regex_search(name, *filter_); }

// One repetition's wall time, guessed from the backend's kind: a guest boots a Linux
// kernel (seconds under TCG, the only accelerator these machines give Linux guests); a
// container engine talks to a daemon; anything else starts a process or a VMM.
double Plan::guess_repetition_s(const std::string& name) const {
  auto first = name.find('/');
  auto second = name.find('/', first + 1);
  if (first == std::string::npos) return 0.1;
  const Backend* backend = backends_.find(name.substr(first + 1, second - first - 1));
  if (backend == nullptr) return 0.1;
  BackendTraits traits = backend->traits();
  if (traits.boots_guest_os) return 4.0;
  if (traits.container_engine) return 0.5;
  return 0.1;
}

int startup_repetitions(const Plan& plan, const std::string& backend, const BackendTraits& traits) {
  if (traits.boots_guest_os) return plan.emulated_guest(backend) ? plan.repetitions(5, 2) : plan.repetitions(10, 3);
  if (traits.container_engine || traits.family == BackendFamily::kSandbox) return plan.repetitions(20, 10);
  return plan.repetitions(50, 15);
}

void Plan::add(BenchmarkSpec spec) {
  if (!passes_filter(spec.name)) return;
  if (spec.repetitions <= 0) return;  // none in this repetition slice
  if (spec.estimate_s <= 0) spec.estimate_s = guess_repetition_s(spec.name);
  specs_.push_back(std::move(spec));
}

void Plan::add_unavailable(const std::string& name, const std::string& reason) {
  add({name, 1, [reason](benchmark::State& state) {
         for (auto _ : state) {
           state.SkipWithError(("unavailable: " + reason).c_str());
           break;
         }
       }});
}

void Plan::use_measured_priors(const std::map<std::string, double>& seconds_per_repetition) {
  for (BenchmarkSpec& spec : specs_) {
    auto found = seconds_per_repetition.find(spec.name);
    if (found == seconds_per_repetition.end()) continue;
    spec.estimate_s = found->second;
    spec.estimate_measured = true;
  }
}

void Plan::register_with_google_benchmark(std::shared_ptr<RunTimings> timings) const {
  const bool show_progress = ::isatty(STDERR_FILENO) == 1;
  const std::size_t total = specs_.size();
  std::shared_ptr<ProgressMeter> progress;
  if (show_progress) {
    std::vector<ProgressMeter::Item> items;
    int repetitions = 0;
    std::size_t measured = 0;
    for (const BenchmarkSpec& spec : specs_) {
      items.push_back({spec.name, spec.repetitions, spec.estimate_s, spec.estimate_measured});
      repetitions += spec.repetitions;
      if (spec.estimate_measured) ++measured;
    }
    progress = std::make_shared<ProgressMeter>(std::move(items));
    const std::string source = measured == total ? "from the last run's timings"
                               : measured == 0   ? "a guess from each backend's kind"
                                                 : std::to_string(measured) + " from the last run's timings, the rest guessed";
    std::fprintf(stderr, "bench: %zu benchmark(s), %d repetition(s), estimated total %s (%s, refined as the run goes)\n",
                 total, repetitions, format_duration(progress->estimated_total_s()).c_str(), source.c_str());
  }
  const std::int64_t run_start_ns = monotonic_ns();
  for (std::size_t i = 0; i < total; ++i) {
    const BenchmarkSpec& spec = specs_[i];
    auto body = spec.body;
    // After SIGINT/SIGTERM every benchmark not yet started becomes a failed row at once.
    body = [body](benchmark::State& state) {
      if (!safety::interrupted()) return body(state);
      // Inside the loop, as the suites record a failure: Google Benchmark's aggregates
      // require every repetition of a benchmark to report the same iteration count.
      for (auto _ : state) {
        state.SkipWithError("interrupted before it started");
        break;
      }
    };
    if (timings) {
      body = [body, timings, name = spec.name](benchmark::State& state) {
        const std::int64_t start_ns = monotonic_ns();
        body(state);
        timings->repetition(name, (monotonic_ns() - start_ns) / 1e9);
      };
    }
    if (show_progress) {
      // Printed before the repetition starts, outside the measured window.
      body = [body, i, total, progress, run_start_ns, repetitions = spec.repetitions,
              repetition = std::make_shared<int>(0)](benchmark::State& state) {
        const std::int64_t start_ns = monotonic_ns();
        std::fprintf(stderr, "\r\033[K%s", progress->line(i, (start_ns - run_start_ns) / 1e9).c_str());
        std::fflush(stderr);
        ++*repetition;
        body(state);
        progress->finished(i, (monotonic_ns() - start_ns) / 1e9);
        if (*repetition == repetitions && i + 1 == total) std::fputs("\r\033[K", stderr);
      };
    }
    benchmark::RegisterBenchmark(spec.name.c_str(), body)
        ->UseManualTime()
        ->Iterations(1)
        ->Repetitions(spec.repetitions)
        ->Unit(spec.unit);
  }
}

void record_failure(benchmark::State& state, const std::string& reason) {
  state.SkipWithError(reason.c_str());
}

void record_lifecycle(benchmark::State& state, const LifecycleRecord& record, const nlohmann::json& extra) {
  state.counters["create_s"] = record.create_s();
  state.counters["ready_s"] = record.ready_s();
  state.counters["teardown_s"] = record.teardown_s();
  auto launch = record.phases.at("launch");
  for (const auto& mark : record.phases.marks()) {
    if (mark.name == "launch" || mark.name == "created" || mark.name == "ready" || mark.name == "torn_down") continue;
    if (launch) state.counters[mark.name + "_s"] = static_cast<double>(mark.at_ns - *launch) / 1e9;
  }
  nlohmann::json attributes = attributes_object(record.attributes);
  attributes.update(extra);
  set_row_attributes(state, attributes);
}

std::span<const SuiteEntry> suite_table() {
  static constexpr SuiteEntry kSuites[] = {
      {"startup", add_startup_suite},
      {"syscall", add_syscall_suite},
      {"cpu", add_cpu_suite},
      {"mem", add_mem_suite},
      {"io", add_io_suite},
      {"ladder", add_ladder_suite},
      {"ladder", add_ladder_vm_suite},
      {"hypervisor", add_hypervisor_suite},
      {"footprint", add_footprint_suite},
      {"density", add_density_suite},
      {"image", add_image_suite},
      {"net", add_net_suite},
      {"faults", add_faults_suite},
  };
  return kSuites;
}

}  // namespace isobench
