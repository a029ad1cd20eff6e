#include "ab_merge.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace isobench::compare {
namespace {

using nlohmann::json;

// Google Benchmark's bookkeeping in a row: every other number is a figure to aggregate.
bool is_bookkeeping(const std::string& key) {
  static const char* const kKeys[] = {"family_index", "per_family_instance_index", "repetitions", "repetition_index",
                                      "threads", "iterations"};
  return std::find(std::begin(kKeys), std::end(kKeys), key) != std::end(kKeys);
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Google Benchmark's four aggregates over the successful repetitions (sample standard
// deviation; cv = stddev / mean), shaped like its own rows.
std::vector<json> aggregates(const std::vector<const json*>& rows, const std::string& run_name, std::size_t total) {
  std::vector<json> out;
  if (rows.size() < 2) return out;  // as Google Benchmark: no aggregates of one repetition
  std::map<std::string, std::vector<double>> figures;
  for (const auto& [key, value] : rows.front()->items())
    if (value.is_number() && !is_bookkeeping(key)) figures[key];
  for (auto it = figures.begin(); it != figures.end();) {
    bool everywhere = true;
    for (const json* row : rows) {
      auto found = row->find(it->first);
      if (found == row->end() || !found->is_number()) {
        everywhere = false;
        break;
      }
      it->second.push_back(found->get<double>());
    }
    it = everywhere ? std::next(it) : figures.erase(it);
  }
  for (const char* name : {"mean", "median", "stddev", "cv"}) {
    json row = *rows.front();
    row.erase("repetition_index");
    row.erase("error_occurred");
    row.erase("error_message");
    row["name"] = run_name + "_" + name;
    row["run_type"] = "aggregate";
    row["aggregate_name"] = name;
    row["aggregate_unit"] = std::string(name) == "cv" ? "percentage" : "time";
    row["iterations"] = rows.size();
    row["repetitions"] = total;
    for (const auto& [key, values] : figures) {
      double n = static_cast<double>(values.size());
      double mean = 0;
      for (double v : values) mean += v / n;
      double squares = 0;
      for (double v : values) squares += (v - mean) * (v - mean);
      double stddev = std::sqrt(squares / (n - 1));
      double value = name == std::string("mean")     ? mean
                     : name == std::string("median") ? median_of(values)
                     : name == std::string("stddev") ? stddev
                                                     : (mean != 0 ? stddev / mean : 0.0);
      row[key] = value;
    }
    out.push_back(std::move(row));
  }
  return out;
}

// Documents from runs of different backends (bench ab's parts) each probed only their
// own: a backend's entry that says whether it was available replaces one that was not
// probed ("probed": false, bench/harness/manifest.hpp).
void take_probed_backends(json& context, const json& other) {
  auto theirs = other.find("backends");
  if (theirs == other.end() || !theirs->is_object()) return;
  json& ours = context["backends"];
  if (!ours.is_object()) ours = json::object();
  for (const auto& [name, entry] : theirs->items()) {
    if (!entry.is_object() || !entry.contains("available")) continue;
    auto mine = ours.find(name);
    if (mine == ours.end() || !mine->is_object() || !mine->contains("available")) ours[name] = entry;
  }
}

bool failed(const json& row) {
  auto flag = row.find("error_occurred");
  return flag != row.end() && flag->is_boolean() && flag->get<bool>();
}

}  // namespace

Result<json> merge_blocks(const std::vector<std::optional<json>>& blocks, const std::string& source) {
  std::optional<json> merged;
  std::vector<std::string> order;                    // run names, first appearance
  std::map<std::string, std::vector<json>> rows_of;  // iteration rows, block order
  for (std::size_t b = 0; b < blocks.size(); ++b) {
    if (!blocks[b]) continue;
    const json& document = *blocks[b];
    auto benchmarks = document.find("benchmarks");
    if (!document.is_object() || benchmarks == document.end() || !benchmarks->is_array())
      return fail(source + ": block " + std::to_string(b) + " has no `benchmarks` array");
    if (!merged) {
      merged = json::object();
      (*merged)["context"] = document.value("context", json::object());
      (*merged)["context"].erase("repetition_slice");
    } else {
      take_probed_backends((*merged)["context"], document.value("context", json::object()));
    }
    for (const json& row : *benchmarks) {
      if (!row.is_object() || row.value("run_type", "") != "iteration") continue;
      std::string name = row.value("run_name", row.value("name", ""));
      if (name.empty()) return fail(source + ": block " + std::to_string(b) + ": a row without run_name");
      if (!rows_of.contains(name)) order.push_back(name);
      rows_of[name].push_back(row);
    }
  }
  if (!merged || order.empty()) return fail(source + ": no block has any benchmark row");
  json benchmarks = json::array();
  for (const std::string& name : order) {
    std::vector<json>& rows = rows_of[name];
    std::vector<const json*> successful;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i]["repetition_index"] = i;
      rows[i]["repetitions"] = rows.size();
      benchmarks.push_back(rows[i]);
    }
    for (const json& row : rows)
      if (!failed(row)) successful.push_back(&row);
    for (json& aggregate : aggregates(successful, name, rows.size())) benchmarks.push_back(std::move(aggregate));
  }
  (*merged)["benchmarks"] = std::move(benchmarks);
  (*merged)["context"]["ab_blocks"] = blocks.size();
  return std::move(*merged);
}

}  // namespace isobench::compare
