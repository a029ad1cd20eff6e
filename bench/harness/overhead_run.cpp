#include "overhead_run.hpp"

namespace isobench {
namespace {

bool boots_a_guest(std::string_view backend) { return backend == "vm" || backend == "qemu"; }

// Figures per op are reported as the row's time per op; the others as the time of the
// workload's measured window (fixed work, so it moves inversely with the figure).
double manual_time_s(const OverheadCase& c, const nlohmann::json& figures) {
  if (c.counter == "ns_per_op") return figures["ns_per_op"].get<double>() * 1e-9;
  return figures.value("seconds", 0.0);
}

std::string fact_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// The backend's attributes, then the workload's own facts (storage, clock source, digest).
std::string row_label(const LifecycleRecord& record, const OverheadCase& c, const nlohmann::json& data,
                      const nlohmann::json& figures) {
  std::string label;
  auto append = [&](const std::string& key, const std::string& value) {
    label += (label.empty() ? "" : " ") + key + "=" + value;
  };
  for (const auto& [key, value] : record.attributes) append(key, value);
  for (const auto& fact : c.facts) {
    if (figures.is_object() && figures.contains(fact)) append(fact, fact_text(figures[fact]));
    else if (data.contains(fact)) append(fact, fact_text(data[fact]));
  }
  return label;
}

}  // namespace

OverheadSizes overhead_sizes(bool quick) {
  if (quick) return {"0.05", "100", "96M", "32M", "8M"};
  return {"0.3", "400", "192M", "128M", "64M"};
}

Result<nlohmann::json> workload_figures(const Outcome& outcome, const std::string& figures_at,
                                        const std::string& counter) {
  if (!outcome.ok()) return fail(outcome.failure);
  nlohmann::json result = nlohmann::json::parse(outcome.result_line, nullptr, false);
  if (result.is_discarded() || !result.is_object()) return fail("result line is not JSON: " + outcome.result_line);
  if (!result.value("ok", false)) return fail("workload failed: " + result.value("error", std::string("no reason given")));
  if (!result.contains("data") || !result["data"].is_object()) return fail("result has no data object");
  nlohmann::json::json_pointer at(figures_at);
  if (!result["data"].contains(at)) return fail("result data has no " + (figures_at.empty() ? "figures" : figures_at));
  const nlohmann::json& figures = result["data"][at];
  if (!figures.contains(counter) || !figures[counter].is_number() || !(figures[counter].get<double>() > 0))
    return fail("result has no positive " + counter + ": " + figures.dump());
  return result["data"];
}

Result<nlohmann::json> run_overhead_workload(Backend& backend, const WorkloadCommand& command,
                                             const std::string& figures_at, const std::string& counter,
                                             const LifecycleTimeouts& timeouts, LifecycleRecord* record) {
  LaunchOptions options;
  options.workload = command;
  options.ready_timeout = timeouts.ready;
  auto run = run_lifecycle(backend, options, timeouts);
  if (!run) return std::unexpected(run.error());
  auto data = workload_figures(run->outcome, figures_at, counter);
  if (record != nullptr) *record = std::move(*run);
  return data;
}

void add_overhead_cases(Plan& plan, const std::string& suite, const std::vector<OverheadCase>& cases) {
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    if (!backend->runs_workloads()) continue;
    const Availability& availability = plan.backends().availability(name);
    // A guest boots for every repetition: a few seconds each under TCG.
    int repetitions = boots_a_guest(name) ? plan.repetitions(5, 2) : plan.repetitions(10, 3);
    LifecycleTimeouts timeouts = plan.timeouts_for(name);
    for (const auto& c : cases) {
      std::string bench_name = suite + "/" + name + "/" + c.row;
      if (!availability.available) {
        plan.add_unavailable(bench_name, availability.reason);
        continue;
      }
      BenchmarkSpec spec{bench_name, repetitions, [backend, c, timeouts](benchmark::State& state) {
                           for (auto _ : state) {
                             LifecycleRecord record;
                             auto data = run_overhead_workload(*backend, c.command, c.figures_at, c.counter,
                                                               timeouts, &record);
                             if (!data) {
                               record_failure(state, data.error().describe());
                               break;
                             }
                             const nlohmann::json& figures = (*data)[nlohmann::json::json_pointer(c.figures_at)];
                             state.SetIterationTime(manual_time_s(c, figures));
                             state.counters[c.counter] = figures[c.counter].get<double>();
                             if (std::string label = row_label(record, c, *data, figures); !label.empty())
                               state.SetLabel(label);
                           }
                         }};
      spec.unit = c.counter == "ns_per_op" ? benchmark::kNanosecond : benchmark::kMillisecond;
      plan.add(std::move(spec));
    }
  }
}

}  // namespace isobench
