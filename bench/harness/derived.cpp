#include "derived.hpp"

#include <optional>

#include "bench/results/names.hpp"
#include "bench/stats/descriptive.hpp"

namespace isobench {
namespace {

std::optional<double> median_of(const results::ResultsFile& model, const std::string& name, const std::string& metric) {
  const results::BenchmarkSamples* bench = model.measured(name);
  if (bench == nullptr || bench->values(metric).empty()) return std::nullopt;
  return stats::median(bench->values(metric));
}

std::optional<double> ratio(const results::ResultsFile& model, const std::string& own, const std::string& reference,
                            const std::string& metric) {
  auto a = median_of(model, own, metric), b = median_of(model, reference, metric);
  if (!a || !b || !(*b > 0)) return std::nullopt;
  return *a / *b;
}

// The workloads' own figures: ratio_to_bare_<counter> = this row's median / bare's.
constexpr const char* kFigureCounters[] = {"ns_per_op", "bytes_per_s", "ops_per_s"};

}  // namespace

void add_derived_ratios(nlohmann::json& document, const results::ResultsFile& model) {
  if (!document.contains("benchmarks") || !document["benchmarks"].is_array()) return;
  for (auto& row : document["benchmarks"]) {
    if (!row.is_object() || row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median")
      continue;
    std::string name = row.value("run_name", "");
    if (model.measured(name) == nullptr) continue;
    if (auto bare = results::bare_counterpart(name)) {
      if (auto r = ratio(model, name, *bare, "real_time")) row["ratio_to_bare"] = *r;
      for (const char* counter : kFigureCounters)
        if (auto r = ratio(model, name, *bare, counter)) row[std::string("ratio_to_bare_") + counter] = *r;
    }
    if (name == "startup/bare/noop")
      if (auto r = ratio(model, name, "startup/bare/noop/floor", "real_time")) row["ratio_to_floor"] = *r;
    // What an engine adds to the OCI runtime it drives (its rows' `runtime` attribute):
    // the same workload started by that runtime alone, in the same run.
    if (name.starts_with("startup/"))
      if (const results::BenchmarkSamples* own = model.measured(name); own != nullptr) {
        std::string runtime = own->attribute("runtime");
        if (!runtime.empty() && runtime != own->backend) {
          std::string under = "startup/" + runtime + name.substr(8 + own->backend.size());
          if (auto r = ratio(model, name, under, "real_time")) row["ratio_to_runtime"] = *r;
          if (auto a = median_of(model, name, "real_time"), b = median_of(model, under, "real_time"); a && b)
            row["engine_over_runtime_s"] = *a - *b;  // the model holds seconds
        }
      }
    // What libvirt adds, same guest and same run: the whole life, and launch to ready
    // alone, the figure the vm backend's target is stated in.
    if (name == "startup/vm/noop") {
      if (auto r = ratio(model, name, "startup/qemu/noop", "real_time")) row["ratio_to_qemu"] = *r;
      if (auto r = ratio(model, name, "startup/qemu/noop", "ready_s")) row["ratio_to_qemu_ready_s"] = *r;
    }
  }
}

void add_derived_ratios(nlohmann::json& document) {
  nlohmann::json copy = document;
  if (!copy.contains("context")) copy["context"] = nlohmann::json::object();  // a bare list of rows
  auto model = results::from_json(std::move(copy), "results");
  if (model) add_derived_ratios(document, *model);
}

}  // namespace isobench
