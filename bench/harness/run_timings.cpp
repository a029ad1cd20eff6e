#include "run_timings.hpp"

#include <algorithm>

#include "progress.hpp"

namespace isobench {

std::string suite_backend_of(const std::string& benchmark_name) {
  auto first = benchmark_name.find('/');
  if (first == std::string::npos) return benchmark_name;
  auto second = benchmark_name.find('/', first + 1);
  return benchmark_name.substr(0, second);
}

void RunTimings::repetition(const std::string& name, double seconds) {
  Tally& tally = benchmarks_[name];
  ++tally.repetitions;
  tally.wall_s += seconds;
}

void RunTimings::phase(const std::string& name, double seconds) { phases_.emplace_back(name, seconds); }

double RunTimings::benchmarks_s() const {
  double total = 0;
  for (const auto& [name, tally] : benchmarks_) total += tally.wall_s;
  return total;
}

nlohmann::json RunTimings::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  double total = benchmarks_s();
  nlohmann::json phases = nlohmann::json::object();
  for (const auto& [name, seconds] : phases_) {
    phases[name] = seconds;
    total += seconds;
  }
  phases["benchmarks"] = benchmarks_s();
  out["total_s"] = total;
  out["phases"] = phases;
  nlohmann::json by_suite = nlohmann::json::object(), by_pair = nlohmann::json::object();
  nlohmann::json rows = nlohmann::json::object();
  for (const auto& [name, tally] : benchmarks_) {
    std::string pair = suite_backend_of(name);
    std::string suite = pair.substr(0, pair.find('/'));
    by_suite[suite] = by_suite.value(suite, 0.0) + tally.wall_s;
    by_pair[pair] = by_pair.value(pair, 0.0) + tally.wall_s;
    rows[name] = {{"repetitions", tally.repetitions}, {"wall_s", tally.wall_s}};
  }
  out["by_suite"] = by_suite;
  out["by_suite_backend"] = by_pair;
  out["benchmarks"] = rows;
  return out;
}

std::string RunTimings::summary() const {
  nlohmann::json all = to_json();
  std::vector<std::pair<double, std::string>> pairs;
  for (const auto& [pair, seconds] : all["by_suite_backend"].items()) pairs.emplace_back(seconds.get<double>(), pair);
  std::sort(pairs.rbegin(), pairs.rend());
  std::string text = "wall time " + format_duration(all["total_s"].get<double>());
  for (const auto& [name, seconds] : phases_) text += ", " + name + " " + format_duration(seconds);
  text += ", benchmarks " + format_duration(benchmarks_s());
  if (!pairs.empty()) text += " (most:";
  for (std::size_t i = 0; i < pairs.size() && i < 3; ++i)
    text += std::string(i == 0 ? " " : ", ") + pairs[i].second + " " + format_duration(pairs[i].first);
  if (!pairs.empty()) text += ")";
  return text;
}

}  // namespace isobench
