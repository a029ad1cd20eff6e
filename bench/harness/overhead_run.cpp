#include "bench/harness/row_attributes.hpp"
#include "overhead_run.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>

namespace isobench {
namespace {

struct SharedResult {
  nlohmann::json data;
  std::map<std::string, std::string> attributes;  // the backend's, for the label
};

// The runs of one group on one backend. Each row takes the next result queued for it;
// when it has none, a new instance runs and queues its result for every row. Rows have
// the same repetitions, so each run is used once by each row, in whatever order Google
// Benchmark interleaves the repetitions.
class SharedRuns {
 public:
  SharedRuns(Backend& backend, WorkloadCommand command, LifecycleTimeouts timeouts, Limits limits)
      : backend_(backend), command_(std::move(command)), timeouts_(timeouts), limits_(std::move(limits)) {}

  void add_row(const std::string& row) { queues_[row]; }

  Result<SharedResult> next(const std::string& row) {
    auto& queue = queues_.at(row);
    if (queue.empty()) launch();
    Result<SharedResult> result = std::move(queue.front());
    queue.pop_front();
    return result;
  }

 private:
  void launch() {
    LifecycleRecord record;
    auto data = run_overhead_workload(backend_, command_, timeouts_, &record, limits_);
    Result<SharedResult> result = data ? Result<SharedResult>(SharedResult{std::move(*data), record.attributes})
                                       : Result<SharedResult>(std::unexpected(data.error()));
    for (auto& [row, queue] : queues_) queue.push_back(result);
  }

  Backend& backend_;
  WorkloadCommand command_;
  LifecycleTimeouts timeouts_;
  Limits limits_;
  std::map<std::string, std::deque<Result<SharedResult>>> queues_;
};

// Figures per op are reported as the row's time per op; the others as the time of the
// workload's measured window (fixed work, so it moves inversely with the figure).
double manual_time_s(const OverheadRow& row, const nlohmann::json& figures) {
  if (row.counter == "ns_per_op") return figures["ns_per_op"].get<double>() * 1e-9;
  return figures.value("seconds", 0.0);
}

std::string fact_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The backend's attributes, then the workload's own facts (storage, clock source, digest).
nlohmann::json row_attributes(const SharedResult& result, const OverheadRow& row, const nlohmann::json& figures) {
  nlohmann::json attributes = attributes_object(result.attributes);
  for (const auto& fact : row.facts) {
    if (figures.contains(fact)) attributes[fact] = fact_text(figures[fact]);
    else if (result.data.contains(fact)) attributes[fact] = fact_text(result.data[fact]);
  }
  return attributes;
}

void report_row(benchmark::State& state, SharedRuns& runs, const OverheadRow& row) {
  for (auto _ : state) {
    auto result = runs.next(row.name);
    if (!result) {
      record_failure(state, result.error().describe());
      break;
    }
    // An operation the workload found missing where it ran (no fork in a guest without an
    // OS) is that backend's limit, not a failure: skipped with the workload's reason.
    nlohmann::json::json_pointer at(row.figures_at);
    if (result->data.contains(at) && result->data[at].is_object() && result->data[at].contains("unavailable")) {
      state.SkipWithError(("unavailable: " + fact_text(result->data[at]["unavailable"])).c_str());
      break;
    }
    auto figures = row_figures(result->data, row.figures_at, row.counter);
    if (!figures) {
      record_failure(state, figures.error().describe());
      break;
    }
    state.SetIterationTime(manual_time_s(row, *figures));
    state.counters[row.counter] = (*figures)[row.counter].get<double>();
    set_row_attributes(state, row_attributes(*result, row, *figures));
  }
}

}  // namespace

OverheadSizes overhead_sizes(bool quick) {
  // io stays within the container's 64 MiB /tmp.
  if (quick) return {"0.05", "100", "96M", "32M", "256M", "8M"};
  return {"0.3", "400", "192M", "128M", "1G", "32M"};
}

Result<nlohmann::json> workload_data(const Outcome& outcome) {
  nlohmann::json result = nlohmann::json::parse(outcome.result_line, nullptr, false);
  if (!outcome.ok()) {
    // The workload's own words ("mkdir /var: Read-only file system") say more than its exit code.
    if (result.is_object() && result.contains("error") && result["error"].is_string() &&
        outcome.failure.find(result["error"].get<std::string>()) == std::string::npos)
      return fail(outcome.failure + ": " + result["error"].get<std::string>());
    return fail(outcome.failure);
  }
  if (result.is_discarded() || !result.is_object()) return fail("result line is not JSON: " + outcome.result_line);
  if (!result.value("ok", false)) return fail("workload failed: " + result.value("error", std::string("no reason given")));
  if (!result.contains("data") || !result["data"].is_object()) return fail("result has no data object");
  return result["data"];
}

Result<nlohmann::json> row_figures(const nlohmann::json& data, const std::string& figures_at,
                                   const std::string& counter) {
  nlohmann::json::json_pointer at(figures_at);
  if (!data.contains(at) || !data[at].is_object()) return fail("result data has no " + figures_at);
  const nlohmann::json& figures = data[at];
  if (!figures.contains(counter) || !figures[counter].is_number() || !(figures[counter].get<double>() > 0))
    return fail("result has no positive " + counter + " at " + figures_at + ": " + figures.dump());
  return figures;
}

std::uint64_t guest_memory_for(std::uint64_t working_set_bytes) {
  constexpr std::uint64_t kMiB = 1ull << 20, kStep = 64 * kMiB, kDefault = 256 * kMiB, kGuestOwn = 192 * kMiB;
  std::uint64_t needed = working_set_bytes / 3 * 4 + kGuestOwn;
  std::uint64_t rounded = (needed + kStep - 1) / kStep * kStep;
  return std::max(rounded, kDefault);
}

Result<nlohmann::json> run_overhead_workload(Backend& backend, const WorkloadCommand& command,
                                             const LifecycleTimeouts& timeouts, LifecycleRecord* record,
                                             const Limits& limits) {
  LaunchOptions options;
  options.workload = command;
  options.limits = limits;
  options.ready_timeout = timeouts.ready;
  auto run = run_lifecycle(backend, options, timeouts);
  if (!run) return std::unexpected(run.error());
  auto data = workload_data(run->outcome);
  if (record != nullptr) *record = std::move(*run);
  return data;
}

void add_overhead_groups(Plan& plan, const std::string& suite, const std::vector<OverheadGroup>& groups) {
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    const BackendTraits traits = backend->traits();
    if (!traits.runs_workloads) continue;
    const Availability& availability = plan.backends().availability(name);
    // A guest boots for every repetition: a few seconds each under TCG.
    int repetitions = traits.boots_guest_os ? plan.repetitions(5, 3) : plan.repetitions(10, 3);
    for (const auto& group : groups) {
      WorkloadCommand command = group.command;
      for (auto& arg : command.args)
        if (arg == kWritableDir) arg = traits.writable_dir;
      Limits limits;  // containers and bare run unlimited; a guest needs RAM for the arrays
      if (traits.boots_guest_os && group.working_set_bytes > 0) limits.memory_bytes = guest_memory_for(group.working_set_bytes);
      auto runs = std::make_shared<SharedRuns>(*backend, command, plan.timeouts_for(name), limits);
      for (const auto& row : group.rows) {
        std::string bench_name = suite + "/" + name + "/" + row.name;
        if (!availability.available) {
          plan.add_unavailable(bench_name, availability.reason);
          continue;
        }
        BenchmarkSpec spec{bench_name, repetitions, [runs, row](benchmark::State& state) { report_row(state, *runs, row); }};
        spec.unit = row.counter == "ns_per_op" ? benchmark::kNanosecond : benchmark::kMillisecond;
        std::size_t before = plan.specs().size();
        plan.add(std::move(spec));
        if (plan.specs().size() > before) runs->add_row(row.name);  // not filtered out
      }
    }
  }
}

}  // namespace isobench
