#include "bench/harness/row_attributes.hpp"
#include "overhead_run.hpp"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>

namespace isobench {
namespace {

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

void report_row(benchmark::State& state, SharedRuns& runs, const std::string& key, const OverheadRow& row) {
  for (auto _ : state) {
    auto result = runs.next(key);
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
  // --quick keeps triad's 96 MiB and random's 256 MiB: at 48 and 64 MiB (inside the LLC
  // for triad's arrays) one quick run read every container ×1.19-1.27 of bare in mem and
  // turned C7 contradicted, a verdict the full sizes do not support.
  if (quick) return {"0.05", "100", "96M", "32M", "256M", "8M"};
  // 0.05 s per syscall operation: still a few hundred thousand getpids and ~450 of the
  // slowest forwarded call (open+close, 110 us in the microvm guest); the spread that the
  // claims' intervals need comes from the repetitions. 0.3 s, then 0.1 s, cost a --all
  // run minutes (eight operations per launch, on every backend). triad's three arrays
  // (64 MiB each) and chase's 128 MiB stay at twice and four times these machines' 32 MiB
  // last-level cache; random's 256 MiB is eight times it and 64 Ki pages of 4 KiB, far
  // past any TLB's reach (1 GiB cost 0.8 s of bare's 3.4 s per launch, against 0.22 s).
  return {"0.05", "400", "192M", "128M", "256M", "32M"};
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

WorkloadCommand sequence_command(const std::vector<const WorkloadCommand*>& commands) {
  if (commands.size() == 1) return *commands.front();
  WorkloadCommand sequence{"sequence", {}};
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (i > 0) sequence.args.push_back("--");
    sequence.args.push_back(commands[i]->name);
    sequence.args.insert(sequence.args.end(), commands[i]->args.begin(), commands[i]->args.end());
  }
  return sequence;
}

Result<nlohmann::json> sequence_part(const nlohmann::json& data, std::size_t index) {
  if (!data.contains("parts") || !data["parts"].is_array() || data["parts"].size() <= index)
    return fail("sequence result has no part " + std::to_string(index + 1) + ": " + data.dump());
  const nlohmann::json& part = data["parts"][index];
  const std::string workload = part.value("workload", std::string("?"));
  if (!part.value("ok", false)) return fail(workload + " failed: " + part.value("error", std::string("no reason given")));
  if (!part.contains("data") || !part["data"].is_object()) return fail(workload + ": result has no data object");
  return part["data"];
}

void add_overhead_groups(Plan& plan, const std::string& suite, const std::vector<OverheadGroup>& groups) {
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    const BackendTraits traits = backend->traits();
    if (!traits.runs_workloads) continue;
    const Availability& availability = plan.backends().availability(name);
    // A guest boots for every repetition: a few seconds each under TCG, where its figures
    // enter no claim (Plan::emulated_guest), so an emulated guest gets three (two in
    // --quick, which has three minutes for everything).
    int repetitions = !traits.boots_guest_os       ? plan.repetitions(10, 3)
                      : plan.emulated_guest(name) ? plan.repetitions(3, 2)
                                                  : plan.repetitions(5, 3);
    // One per backend for all overhead suites: their workloads share each instance.
    auto runs = plan.shared<SharedRuns>("overhead/" + name);
    runs->configure(*backend, plan.timeouts_for(name));
    for (const auto& group : groups) {
      WorkloadCommand command = group.command;
      for (auto& arg : command.args)
        if (arg == kWritableDir) arg = traits.writable_dir;
      // Containers and bare run unlimited; a guest needs RAM for the arrays.
      std::uint64_t memory = traits.boots_guest_os ? guest_memory_for(group.working_set_bytes) : 0;
      if (group.working_set_bytes == 0) memory = 0;
      const std::size_t index = runs->add_group(command, memory);
      for (const auto& row : group.rows) {
        std::string bench_name = suite + "/" + name + "/" + row.name;
        if (!availability.available) {
          plan.add_unavailable(bench_name, availability.reason);
          continue;
        }
        BenchmarkSpec spec{bench_name, repetitions,
                           [runs, bench_name, row](benchmark::State& state) { report_row(state, *runs, bench_name, row); }};
        spec.unit = row.counter == "ns_per_op" ? benchmark::kNanosecond : benchmark::kMillisecond;
        // One launch serves all the backend's overhead rows (about 20 in --all): each
        // row's share of it, twice the backend's launch guess for the parts' own time.
        spec.estimate_s = 2 * plan.guess_repetition_s(bench_name) / 20;
        std::size_t before = plan.specs().size();
        plan.add(std::move(spec));
        if (plan.specs().size() > before) runs->add_row(bench_name, index);  // not filtered out
      }
    }
  }
}

void SharedRuns::configure(Backend& backend, LifecycleTimeouts timeouts) {
  backend_ = &backend;
  timeouts_ = timeouts;
}

std::size_t SharedRuns::add_group(WorkloadCommand command, std::uint64_t memory_bytes) {
  groups_.push_back({std::move(command), memory_bytes});
  return groups_.size() - 1;
}

void SharedRuns::add_row(const std::string& key, std::size_t group) {
  row_group_[key] = group;
  queues_[key];
}

Result<SharedResult> SharedRuns::next(const std::string& key) {
  auto& queue = queues_.at(key);
  if (queue.empty()) launch();
  Result<SharedResult> result = std::move(queue.front());
  queue.pop_front();
  return result;
}

std::vector<std::size_t> SharedRuns::used_groups() const {
  std::set<std::size_t> used;
  for (const auto& [key, group] : row_group_) used.insert(group);
  return {used.begin(), used.end()};
}

void SharedRuns::launch() {
  ++launches_;
  const std::vector<std::size_t> used = used_groups();
  std::vector<const WorkloadCommand*> commands;
  Limits limits;
  for (std::size_t group : used) {
    commands.push_back(&groups_[group].command);
    if (groups_[group].memory_bytes > 0)
      limits.memory_bytes = std::max(limits.memory_bytes.value_or(0), groups_[group].memory_bytes);
  }
  LifecycleTimeouts timeouts = timeouts_;
  timeouts.exit *= static_cast<int>(std::max<std::size_t>(used.size(), 1));  // the parts run one after another
  LifecycleRecord record;
  auto data = run_overhead_workload(*backend_, sequence_command(commands), timeouts, &record, limits);
  std::vector<Result<SharedResult>> results;
  for (std::size_t i = 0; i < used.size(); ++i) {
    if (!data) {
      results.push_back(std::unexpected(data.error()));
    } else if (used.size() == 1) {
      results.push_back(SharedResult{*data, record.attributes});
    } else {
      auto part = sequence_part(*data, i);
      results.push_back(part ? Result<SharedResult>(SharedResult{std::move(*part), record.attributes})
                             : Result<SharedResult>(std::unexpected(part.error())));
    }
  }
  for (auto& [key, queue] : queues_) {
    auto at = std::find(used.begin(), used.end(), row_group_.at(key));
    queue.push_back(results[static_cast<std::size_t>(at - used.begin())]);
  }
}

}  // namespace isobench
