#include "derived.hpp"

#include <algorithm>
#include <map>
#include <vector>

namespace isobench {
namespace {

double to_seconds(double value, const std::string& unit) {
  if (unit == "ns") return value * 1e-9;
  if (unit == "us") return value * 1e-6;
  if (unit == "ms") return value * 1e-3;
  return value;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::map<std::string, std::vector<double>> iteration_seconds(const nlohmann::json& results) {
  std::map<std::string, std::vector<double>> out;
  if (!results.contains("benchmarks")) return out;
  for (const auto& row : results["benchmarks"]) {
    if (row.value("run_type", "") != "iteration" || row.value("error_occurred", false)) continue;
    if (!row.contains("real_time") || !row["real_time"].is_number()) continue;
    out[row.value("run_name", row.value("name", ""))].push_back(
        to_seconds(row["real_time"].get<double>(), row.value("time_unit", "ns")));
  }
  return out;
}

// startup/container/noop -> startup/bare/noop; names with fewer than three parts have none.
std::optional<std::string> bare_counterpart(const std::string& name) {
  auto first = name.find('/');
  if (first == std::string::npos) return std::nullopt;
  auto second = name.find('/', first + 1);
  if (second == std::string::npos) return std::nullopt;
  std::string backend = name.substr(first + 1, second - first - 1);
  if (backend == "bare") return std::nullopt;
  return name.substr(0, first + 1) + "bare" + name.substr(second);
}

// The workloads' own figures: ratio_to_bare_<counter> = this row's median / bare's.
constexpr const char* kFigureCounters[] = {"ns_per_op", "bytes_per_s", "ops_per_s"};

std::map<std::string, std::vector<double>> iteration_counter(const nlohmann::json& results, const std::string& counter) {
  std::map<std::string, std::vector<double>> out;
  for (const auto& row : results["benchmarks"]) {
    if (row.value("run_type", "") != "iteration" || row.value("error_occurred", false)) continue;
    if (!row.contains(counter) || !row[counter].is_number()) continue;
    out[row.value("run_name", row.value("name", ""))].push_back(row[counter].get<double>());
  }
  return out;
}

void add_counter_ratios(nlohmann::json& results) {
  for (const char* counter : kFigureCounters) {
    auto samples = iteration_counter(results, counter);
    auto median_of = [&](const std::string& name) -> std::optional<double> {
      auto it = samples.find(name);
      if (it == samples.end() || it->second.empty()) return std::nullopt;
      return median(it->second);
    };
    for (auto& row : results["benchmarks"]) {
      if (row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median") continue;
      std::string name = row.value("run_name", "");
      auto bare = bare_counterpart(name);
      if (!bare) continue;
      auto own = median_of(name);
      auto reference = median_of(*bare);
      if (own && reference && *reference > 0) row[std::string("ratio_to_bare_") + counter] = *own / *reference;
    }
  }
}

// What libvirt adds, same guest and same run: startup/vm/noop against startup/qemu/noop,
// on the whole life (ratio_to_qemu) and on launch-to-ready alone (ratio_to_qemu_ready_s),
// the figure the vm backend's target is stated in.
void add_libvirt_ratios(nlohmann::json& results, const std::map<std::string, std::vector<double>>& seconds) {
  const std::string vm = "startup/vm/noop", qemu = "startup/qemu/noop";
  auto ready = iteration_counter(results, "ready_s");
  auto ratio = [](const auto& samples, const std::string& own, const std::string& reference) -> std::optional<double> {
    auto a = samples.find(own), b = samples.find(reference);
    if (a == samples.end() || b == samples.end() || a->second.empty() || b->second.empty()) return std::nullopt;
    double denominator = median(b->second);
    if (denominator <= 0) return std::nullopt;
    return median(a->second) / denominator;
  };
  for (auto& row : results["benchmarks"]) {
    if (row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median") continue;
    if (row.value("run_name", "") != vm) continue;
    if (auto total = ratio(seconds, vm, qemu)) row["ratio_to_qemu"] = *total;
    if (auto to_ready = ratio(ready, vm, qemu)) row["ratio_to_qemu_ready_s"] = *to_ready;
  }
}

}  // namespace

std::optional<double> median_real_time(const nlohmann::json& results, const std::string& name) {
  auto samples = iteration_seconds(results);
  auto it = samples.find(name);
  if (it == samples.end() || it->second.empty()) return std::nullopt;
  return median(it->second);
}

void add_derived_ratios(nlohmann::json& results) {
  auto samples = iteration_seconds(results);
  auto median_of = [&](const std::string& name) -> std::optional<double> {
    auto it = samples.find(name);
    if (it == samples.end() || it->second.empty()) return std::nullopt;
    return median(it->second);
  };
  if (!results.contains("benchmarks")) return;
  for (auto& row : results["benchmarks"]) {
    if (row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median") continue;
    std::string name = row.value("run_name", "");
    auto own = median_of(name);
    if (!own) continue;
    if (auto bare = bare_counterpart(name)) {
      if (auto reference = median_of(*bare); reference && *reference > 0) row["ratio_to_bare"] = *own / *reference;
    }
    if (name == "startup/bare/noop") {
      if (auto floor = median_of("startup/bare/noop/floor"); floor && *floor > 0) row["ratio_to_floor"] = *own / *floor;
    }
  }
  add_counter_ratios(results);
  add_libvirt_ratios(results, samples);
}

}  // namespace isobench
