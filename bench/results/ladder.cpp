#include "bench/results/ladder.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>

#include "bench/stats/descriptive.hpp"
#include "bench/stats/intervals.hpp"

namespace isobench::results {
namespace {

constexpr double kLevel = 0.95;

Estimate median_estimate(const std::vector<double>& values) {
  stats::Interval ci = stats::median_ci(values, kLevel);
  return {stats::median(values), ci.low, ci.high, ci.level};
}

const std::vector<double>& totals(const BenchmarkSamples& bench) {
  return bench.values("ready_s").empty() ? bench.values("real_time") : bench.values("ready_s");
}

std::string step_verdict(const Estimate& cost, std::size_t repetitions) {
  if (cost.low > 0) return "adds time";
  if (cost.high < 0) return "saves time";
  auto more = stats::repetitions_to_decide(cost.point, cost.low, cost.high, 0.0, repetitions, false);
  return more ? "inconclusive: ~" + std::to_string(*more) + " repetitions would decide"
              : "inconclusive: no measurable difference";
}

}  // namespace

std::string ladder_baseline(std::string_view step, const std::vector<std::string>& siblings) {
  if (step == "alone_pivot_root") return "alone_mnt";
  if (step == "alone_loopback") return "alone_net";
  if (step.starts_with("alone_")) return "spawn";
  if (step == "workload_ready") return "vmm_up";
  if (step == "vcpu") return "vm_create";
  if (step == "first_instruction") return "vcpu";
  if (step == "kernel_result") return "first_instruction";
  if (step.starts_with("cumulative_")) {
    std::string_view rest = step.substr(std::string_view("cumulative_").size());
    int place = 0;
    for (char c : rest) {
      if (c < '0' || c > '9') break;
      place = place * 10 + (c - '0');
    }
    if (place <= 1) return "spawn";
    std::string before = "cumulative_" + std::to_string(place - 1) + "_";
    for (const auto& sibling : siblings)
      if (sibling.starts_with(before)) return sibling;
    return before + "?";
  }
  return "";  // spawn, vmm_up, vm_create: the floors
}

std::vector<LadderStep> ladder_steps(const ResultsFile& file, const TraitsLookup& fallback) {
  std::vector<LadderStep> out;
  std::vector<std::string> backends;
  for (const BenchmarkSamples* bench : file.select("ladder"))
    if (std::find(backends.begin(), backends.end(), bench->backend) == backends.end())
      backends.push_back(bench->backend);
  for (const std::string& backend : backends) {
    std::vector<const BenchmarkSamples*> rows;
    std::vector<std::string> names;
    for (const BenchmarkSamples* bench : file.select("ladder", backend)) {
      // ladder/container/noop/<step> (the workload is noop), ladder/vm/<step>.
      std::string step = bench->arg.empty() ? bench->workload : bench->arg;
      if (bench->repetitions() == 0) continue;
      rows.push_back(bench);
      names.push_back(step);
    }
    std::map<std::string, const BenchmarkSamples*> by_step;
    for (std::size_t i = 0; i < rows.size(); ++i) by_step[names[i]] = rows[i];
    std::string family = traits_of(file, backend, fallback).family;
    std::vector<LadderStep> steps;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const BenchmarkSamples& bench = *rows[i];
      LadderStep step;
      step.backend = backend;
      step.family = family;
      step.step = names[i];
      step.name = bench.name;
      step.baseline = bench.attributes.contains("baseline") ? bench.attribute("baseline")
                                                             : ladder_baseline(names[i], names);
      step.repetitions = bench.repetitions();
      step.total_s = median_estimate(totals(bench));
      auto baseline = by_step.find(step.baseline);
      if (step.baseline.empty()) {
        step.method = "floor";
        step.cost_s = step.total_s;
      } else if (!bench.values("step_s").empty()) {
        step.method = "paired";
        step.cost_s = median_estimate(bench.values("step_s"));
      } else if (baseline != by_step.end()) {
        auto difference = stats::difference_of_medians(totals(bench), totals(*baseline->second), kLevel);
        if (!difference) continue;
        step.method = "unpaired";
        step.cost_s = {difference->difference, difference->ci.low, difference->ci.high, difference->ci.level};
      } else {
        continue;  // its baseline was not measured: no cost can be stated
      }
      step.verdict = step_verdict(step.cost_s, step.repetitions);
      steps.push_back(std::move(step));
    }
    // The top step: the deepest chain of baselines, then the largest total.
    auto depth = [&](const LadderStep& step) {
      int d = 0;
      std::string at = step.baseline;
      while (!at.empty() && d < 64) {
        ++d;
        auto it = std::find_if(steps.begin(), steps.end(), [&](const LadderStep& s) { return s.step == at; });
        if (it == steps.end()) break;
        at = it->baseline;
      }
      return d;
    };
    auto top = std::max_element(steps.begin(), steps.end(), [&](const LadderStep& a, const LadderStep& b) {
      int da = depth(a), db = depth(b);
      return da != db ? da < db : a.total_s.point < b.total_s.point;
    });
    if (top != steps.end()) {
      top->top = true;
      double whole = top->total_s.point;
      for (std::string at = top->step; !at.empty();) {
        auto it = std::find_if(steps.begin(), steps.end(), [&](const LadderStep& s) { return s.step == at; });
        if (it == steps.end() || it->on_top_chain) break;
        it->on_top_chain = true;
        at = it->baseline;
      }
      if (whole > 0)
        for (auto& step : steps) step.share = step.cost_s.point / whole;
    }
    // As the suites declare them: the floor, each primitive alone, then the cumulative
    // chain in its order.
    auto place = [](const LadderStep& s) {
      if (s.baseline.empty()) return std::pair{0, 0};
      if (!s.step.starts_with("cumulative_")) return std::pair{1, 0};
      return std::pair{2, std::atoi(s.step.c_str() + std::string_view("cumulative_").size())};
    };
    std::map<std::string, int> depths;  // computed before sorting: depth() reads `steps`
    for (const auto& step : steps) depths[step.step] = depth(step);
    std::stable_sort(steps.begin(), steps.end(), [&](const LadderStep& a, const LadderStep& b) {
      auto pa = place(a), pb = place(b);
      if (pa != pb) return pa < pb;
      int da = depths[a.step], db = depths[b.step];
      return da != db ? da < db : a.step < b.step;
    });
    for (auto& step : steps) out.push_back(std::move(step));
  }
  return out;
}

nlohmann::json to_json(const LadderStep& step) {
  auto estimate = [](const Estimate& e) {
    return nlohmann::json{{"point", e.point}, {"low", e.low}, {"high", e.high}, {"level", e.level}};
  };
  nlohmann::json out = {
      {"backend", step.backend},   {"family", step.family},     {"step", step.step},
      {"name", step.name},         {"method", step.method},     {"cost_s", estimate(step.cost_s)},
      {"total_s", estimate(step.total_s)}, {"repetitions", step.repetitions}, {"verdict", step.verdict},
      {"top", step.top},           {"on_top_chain", step.on_top_chain},
  };
  out["baseline"] = step.baseline.empty() ? nlohmann::json(nullptr) : nlohmann::json(step.baseline);
  out["share"] = step.share ? nlohmann::json(*step.share) : nlohmann::json(nullptr);
  return out;
}

}  // namespace isobench::results
