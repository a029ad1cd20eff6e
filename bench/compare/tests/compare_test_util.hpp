// Builders of results files for the compare tests: synthetic ones with known samples,
// and the committed fixture (a real bare startup run) with its times scaled.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"
#include "stats/random.hpp"

namespace isobench::compare::testing {

struct SyntheticBenchmark {
  std::string name;
  std::vector<double> real_ms;    // one per successful repetition
  std::string error_message;      // with failed_repetitions > 0
  int failed_repetitions = 0;
  std::string counter;            // an extra counter, equal to real_ms * counter_scale
  double counter_scale = 1;
};

inline nlohmann::json manifest_context() {
  return {{"cpu_model", "Test CPU 9000"}, {"cpu_count", 4},    {"host_kernel", "6.1.0-18-amd64"},
          {"cgroup_mode", "v2"},          {"num_cpus", 4},     {"backends", {{"vm", {{"accelerator", "kvm"}}}}}};
}

inline std::string results_json(const std::vector<SyntheticBenchmark>& benchmarks,
                                 nlohmann::json context = manifest_context()) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& b : benchmarks) {
    for (double ms : b.real_ms) {
      nlohmann::json row = {{"name", b.name}, {"run_name", b.name}, {"run_type", "iteration"}, {"iterations", 1},
                            {"real_time", ms}, {"cpu_time", ms / 10}, {"time_unit", "ms"}};
      if (!b.counter.empty()) row[b.counter] = ms * b.counter_scale;
      rows.push_back(row);
    }
    for (int i = 0; i < b.failed_repetitions; ++i)
      rows.push_back({{"name", b.name}, {"run_name", b.name}, {"run_type", "iteration"}, {"error_occurred", true},
                      {"error_message", b.error_message}, {"real_time", 0}, {"time_unit", "ms"}});
    rows.push_back({{"name", b.name + "_median"}, {"run_name", b.name}, {"run_type", "aggregate"},
                    {"aggregate_name", "median"}, {"real_time", 0}, {"time_unit", "ms"}});
  }
  return nlohmann::json{{"context", context}, {"benchmarks", rows}}.dump();
}

inline ResultsFile parsed(const std::string& text, const std::string& source = "test.json") {
  auto file = parse_results(text, source);
  EXPECT_TRUE(file) << file.error().describe();
  return file ? std::move(*file) : ResultsFile{};
}

// floor * (1 + spread * Exp(1)): skewed like repetition times on a shared host.
inline std::vector<double> noisy_ms(std::uint64_t seed, std::size_t n, double floor, double spread) {
  stats::SplitMix64 rng(seed);
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) {
    double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
    out.push_back(floor * (1 - spread * std::log(u)));
  }
  return out;
}

inline std::vector<double> scaled(std::vector<double> values, double factor) {
  for (double& v : values) v *= factor;
  return values;
}

inline std::string fixture_text() {
  std::ifstream in(std::string(ISOBENCH_COMPARE_FIXTURES) + "/startup_bare_20.json");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The fixture with every real_time and cpu_time (iterations and time aggregates) times `factor`.
inline std::string fixture_scaled(double factor) {
  nlohmann::json document = nlohmann::json::parse(fixture_text());
  for (auto& row : document["benchmarks"]) {
    if (row.value("aggregate_unit", "time") != "time") continue;
    for (const char* key : {"real_time", "cpu_time"})
      if (row.contains(key)) row[key] = row[key].get<double>() * factor;
  }
  return document.dump();
}

}  // namespace isobench::compare::testing
