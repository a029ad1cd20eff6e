#include "results_pipeline.hpp"

#include <map>

#include "bench/results/claims.hpp"
#include "bench/results/emulation.hpp"
#include "bench/results/model.hpp"
#include "bench/stats/descriptive.hpp"
#include "bench/stats/intervals.hpp"
#include "benchmark_json.hpp"
#include "derived.hpp"
#include "results_file.hpp"
#include "row_attributes.hpp"
#include "run_statistics.hpp"
#include "runtimes/backend.hpp"

namespace isobench {
namespace {

constexpr double kLevel = 0.95;

// A file written before the manifest recorded traits gets this build's, so that every
// reader (the report included) takes a backend's family from the file.
void add_missing_traits(nlohmann::json& document) {
  nlohmann::json& backends = document["context"]["backends"];
  if (!backends.is_object()) backends = nlohmann::json::object();
  for (const BackendEntry& entry : backend_table()) {
    nlohmann::json& info = backends[entry.name];
    if (!info.is_object()) info = nlohmann::json::object();
    if (!info.contains("traits")) info["traits"] = to_json(entry.make(BackendConfig{})->traits());
  }
}

// Claims, emulation and intervals: what a file needs whichever bench wrote its rows.
void add_derived_sections(nlohmann::json& document, const results::ResultsFile& model) {
  results::annotate_emulation(document, model, backend_table_traits());
  add_figure_intervals(document, model);
  document["claims"] = results::compute_claims(model, backend_table_traits());
}

}  // namespace

const results::TraitsLookup& backend_table_traits() {
  static const results::TraitsLookup lookup = [] {
    auto known = std::make_shared<std::map<std::string, results::FamilyTraits, std::less<>>>();
    int index = 0;
    for (const BackendEntry& entry : backend_table()) {
      // A backend's constructor only keeps its configuration; traits need no probe.
      std::unique_ptr<Backend> backend = entry.make(BackendConfig{});
      BackendTraits traits = backend->traits();
      (*known)[entry.name] = {std::string(to_string(traits.family)), traits.boots_guest_os, traits.emulation_possible,
                              index++, traits.container_engine};
    }
    return results::TraitsLookup([known](std::string_view name) -> std::optional<results::FamilyTraits> {
      auto it = known->find(name);
      if (it == known->end()) return std::nullopt;
      return it->second;
    });
  }();
  return lookup;
}

void add_figure_intervals(nlohmann::json& document, const results::ResultsFile& model) {
  if (!document.contains("benchmarks") || !document["benchmarks"].is_array()) return;
  for (auto& row : document["benchmarks"]) {
    if (!row.is_object() || row.value("run_type", "") != "aggregate" || row.value("aggregate_name", "") != "median")
      continue;
    const results::BenchmarkSamples* bench = model.measured(row.value("run_name", ""));
    if (bench == nullptr) continue;
    nlohmann::json figures = nlohmann::json::object();
    for (const auto& [metric, values] : bench->metrics) {
      if (values.empty()) continue;
      stats::Interval ci = stats::median_ci(values, kLevel);
      std::string key = metric == "real_time" ? "real_time_s" : metric == "cpu_time" ? "cpu_time_s" : metric;
      figures[key] = {{"median", stats::median(values)}, {"ci_low", ci.low}, {"ci_high", ci.high},
                      {"ci_level", ci.level}, {"n", values.size()}};
    }
    row["figures"] = std::move(figures);
  }
}

Result<std::vector<std::string>> finish_results(nlohmann::json& document, const std::string& source) {
  attributes_from_labels(document);
  // The one reading of the rows: every figure below is computed on this model.
  auto model = results::from_json(document, source);
  if (!model) return std::unexpected(model.error());
  add_derived_ratios(document, *model);
  std::vector<std::string> warnings = add_run_statistics(document, *model);
  add_derived_sections(document, *model);
  return warnings;
}

Result<bool> ensure_claims(const std::filesystem::path& results_json) {
  auto read = results::read_results_text(results_json);
  if (!read) return std::unexpected(read.error());
  auto document = parse_benchmark_json(read->text);
  if (!document) return std::unexpected(document.error().with_context(in_quotes(results_json.string())));
  auto existing = document->find("claims");
  if (existing != document->end() && existing->is_object() &&
      existing->value("version", 0) == results::kClaimsVersion)
    return false;
  add_missing_traits(*document);
  auto model = results::from_json(*document, results_json.string());
  if (!model) return std::unexpected(model.error());
  add_derived_sections(*document, *model);
  if (auto written = write_file_atomically(results_json, document->dump(2) + "\n"); !written)
    return std::unexpected(written.error());
  return true;
}

}  // namespace isobench
