#include "run_timings.hpp"

#include <algorithm>
#include <fstream>

#include "progress.hpp"
#include "results_file.hpp"

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

std::map<std::string, double> RunTimings::per_repetition() const {
  std::map<std::string, double> out;
  for (const auto& [name, tally] : benchmarks_)
    if (tally.repetitions > 0) out[name] = tally.wall_s / tally.repetitions;
  return out;
}

std::filesystem::path remembered_timings_path(const std::filesystem::path& state_dir, bool quick) {
  return state_dir / "timings" / (quick ? "quick.json" : "full.json");
}

std::map<std::string, double> remembered_timings(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return {};
  nlohmann::json json = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  std::map<std::string, double> out;
  if (!json.is_object() || !json.contains("seconds_per_repetition") || !json["seconds_per_repetition"].is_object())
    return out;
  for (const auto& [name, seconds] : json["seconds_per_repetition"].items())
    if (seconds.is_number() && seconds.get<double>() >= 0) out[name] = seconds.get<double>();
  return out;
}

Result<void> remember_timings(const RunTimings& timings, const std::filesystem::path& path) {
  std::map<std::string, double> merged = remembered_timings(path);
  for (const auto& [name, seconds] : timings.per_repetition()) merged[name] = seconds;
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return fail_errno("create " + in_quotes(path.parent_path()), ec.value());
  nlohmann::json out = {{"seconds_per_repetition", merged}};
  return write_file_atomically(path, out.dump(1) + "\n");
}

}  // namespace isobench
