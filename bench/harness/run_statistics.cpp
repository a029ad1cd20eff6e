#include "run_statistics.hpp"

#include <cstdio>
#include <map>

#include "bench/results/metric.hpp"
#include "bench/results/names.hpp"
#include "bench/compare/testbed.hpp"
#include "bench/stats/descriptive.hpp"
#include "bench/stats/intervals.hpp"

namespace isobench {
namespace {

constexpr double kLevel = 0.95;

std::string percent(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.0f%%", fraction * 100);
  return buffer;
}

void add_ratio_ci(nlohmann::json& row, const char* field, const std::vector<double>* own,
                  const std::vector<double>* reference) {
  if (!row.contains(field) || !own || !reference) return;
  auto ratio = stats::ratio_of_medians(*own, *reference, kLevel);
  if (!ratio) return;
  row[std::string(field) + "_ci_low"] = ratio->ci.low;
  row[std::string(field) + "_ci_high"] = ratio->ci.high;
}

std::vector<std::string> host_warnings(const nlohmann::json& context) {
  std::vector<std::string> out;
  if (context.value("host_virtualized", false)) {
    std::string vendor = context.value("hypervisor_vendor", "");
    out.push_back("host is itself a virtual machine" + (vendor.empty() ? "" : " (hypervisor `" + vendor + "`)") +
                  ": other guests share its CPUs, so absolute times drift; trust ratios measured in one run");
  }
  std::string governor = context.value("cpu_governor", "none");
  if (governor != "none" && governor != "performance")
    out.push_back("CPU frequency scaling is on (governor `" + governor +
                  "`): set the performance governor for stable timings");
  else if (context.value("cpu_scaling_enabled", false) && governor == "none")
    out.push_back("CPU frequency scaling is on: set the performance governor for stable timings");
  auto load = context.find("load_average_1m");
  auto cpus = context.find("cpu_count");
  if (load != context.end() && load->is_number() && cpus != context.end() && cpus->is_number() &&
      load->get<double>() > cpus->get<double>()) {
    char buffer[160];
    std::snprintf(buffer, sizeof buffer, "host is loaded: load average %.1f on %.0f CPUs, so other work competed with the benchmarks",
                  load->get<double>(), cpus->get<double>());
    out.emplace_back(buffer);
  }
  return out;
}

}  // namespace

std::vector<std::string> add_run_statistics(nlohmann::json& results, const results::ResultsFile& model) {
  if (!results.is_object() || !results.contains("benchmarks") || !results["benchmarks"].is_array()) return {};
  auto samples_of = [&](const std::string& name) -> const std::vector<double>* {
    const results::BenchmarkSamples* bench = model.measured(name);
    return bench == nullptr ? nullptr : &bench->values("real_time");
  };

  std::vector<std::pair<std::string, double>> noisy;
  for (auto& row : results["benchmarks"]) {
    if (!row.is_object() || row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median")
      continue;
    std::string name = row.value("run_name", "");
    const std::vector<double>* own = samples_of(name);
    auto unit_scale = compare::seconds_from(1, row.value("time_unit", "ns"));
    if (!own || !unit_scale) continue;
    stats::Interval ci = stats::median_ci(*own, kLevel);
    row["median_ci_low"] = ci.low / *unit_scale;
    row["median_ci_high"] = ci.high / *unit_scale;
    row["median_ci_level"] = ci.level;
    row["real_time_cv"] = stats::coefficient_of_variation(*own);
    // Startup samples are heavy-tailed (p99 five times the median here): the CV flags
    // every such row, the scaled MAD only rows whose bulk is spread.
    double median = stats::median(*own);
    double robust = median > 0 ? kMadToSigma * stats::median_absolute_deviation(*own) / median : 0;
    row["real_time_robust_cv"] = robust;
    row["outliers"] = stats::mad_outliers(*own).indices.size();
    if (robust > kHighCv) noisy.emplace_back(name, robust);

    auto bare = compare::bare_counterpart(name);
    add_ratio_ci(row, "ratio_to_bare", own, bare ? samples_of(*bare) : nullptr);
    add_ratio_ci(row, "ratio_to_floor", own, samples_of(name + "/floor"));
  }

  nlohmann::json& context = results["context"];
  if (!context.is_object()) context = nlohmann::json::object();
  std::vector<std::string> warnings = host_warnings(context);
  if (!noisy.empty()) {
    std::string line = "noisy figures (robust spread, 1.4826 MAD / median, above " + percent(kHighCv) + ") in " + std::to_string(noisy.size()) +
                       " benchmark(s):";
    for (std::size_t i = 0; i < noisy.size() && i < 5; ++i)
      line += (i ? ", " : " ") + noisy[i].first + " " + percent(noisy[i].second);
    if (noisy.size() > 5) line += ", ...";
    line += "; rerun with more --repetitions on a quieter host";
    warnings.push_back(line);
  }
  if (auto testbed = compare::testbed_of(context)) context["testbed_fingerprint"] = compare::fingerprint(*testbed);
  context["statistics"] = {
      {"median_ci", "order statistics (binomial), level 0.95"},
      {"ratio_ci", "percentile bootstrap of the ratio of medians, 2000 resamples, fixed seed, level 0.95"},
      {"outliers", "median absolute deviation, modified z-score above 3.5"},
      {"high_cv", kHighCv},
      {"noise", "robust coefficient of variation: 1.4826 x median absolute deviation / median (real_time_robust_cv)"},
      {"warnings", warnings},
  };
  return warnings;
}

std::vector<std::string> add_run_statistics(nlohmann::json& results) {
  nlohmann::json copy = results;
  if (!copy.contains("context")) copy["context"] = nlohmann::json::object();  // a bare list of rows
  auto model = results::from_json(std::move(copy), "results");
  if (!model) return {};
  return add_run_statistics(results, *model);
}

}  // namespace isobench
