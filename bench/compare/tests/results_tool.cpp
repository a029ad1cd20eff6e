// Makes results files for the compare tests and for timing `bench compare`:
//   results_tool scale IN OUT FACTOR     every real_time and cpu_time times FACTOR
//   results_tool synth OUT BENCHMARKS REPETITIONS SEED [FACTOR]
//                                        Google Benchmark JSON with an isobench manifest:
//                                        BENCHMARKS benchmarks of REPETITIONS iteration
//                                        rows plus mean/median/stddev/cv aggregates
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "stats/random.hpp"

namespace {

int usage() {
  std::fputs("usage: results_tool scale IN OUT FACTOR | synth OUT BENCHMARKS REPETITIONS SEED [FACTOR]\n", stderr);
  return 2;
}

bool write(const std::string& path, const nlohmann::json& document) {
  std::ofstream out(path);
  out << document.dump(2) << "\n";
  return static_cast<bool>(out);
}

int scale(const std::string& in_path, const std::string& out_path, double factor) {
  std::ifstream in(in_path);
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json document = nlohmann::json::parse(text.str());
  for (auto& row : document["benchmarks"]) {
    if (row.value("aggregate_unit", "time") != "time") continue;  // cv rows are ratios
    for (const char* key : {"real_time", "cpu_time", "median_ci_low", "median_ci_high"})
      if (row.contains(key)) row[key] = row[key].get<double>() * factor;
  }
  return write(out_path, document) ? 0 : 1;
}

int synth(const std::string& out_path, int benchmarks, int repetitions, std::uint64_t seed, double factor) {
  isobench::stats::SplitMix64 rng(seed);
  nlohmann::json rows = nlohmann::json::array();
  for (int b = 0; b < benchmarks; ++b) {
    std::string backend = b % 2 == 0 ? "bare" : "container";
    std::string name = "synth/" + backend + "/w" + std::to_string(b / 2);
    double floor_ms = 1.0 + (b / 2) * 0.01 + (backend == "bare" ? 0 : 1.0);
    for (int r = 0; r < repetitions; ++r) {
      double u = (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53;
      double ms = (floor_ms - 0.05 * floor_ms * std::log(u)) * factor;
      rows.push_back({{"name", name}, {"run_name", name}, {"run_type", "iteration"}, {"repetitions", repetitions},
                      {"repetition_index", r}, {"threads", 1}, {"iterations", 1}, {"real_time", ms},
                      {"cpu_time", ms / 10}, {"time_unit", "ms"}, {"pss_bytes", 1048576.0 * floor_ms}});
    }
    for (const char* aggregate : {"mean", "median", "stddev", "cv"})
      rows.push_back({{"name", name + "_" + aggregate}, {"run_name", name}, {"run_type", "aggregate"},
                      {"aggregate_name", aggregate}, {"aggregate_unit", std::string(aggregate) == "cv" ? "percentage" : "time"},
                      {"repetitions", repetitions}, {"threads", 1}, {"iterations", repetitions},
                      {"real_time", floor_ms}, {"cpu_time", floor_ms / 10}, {"time_unit", "ms"}});
  }
  nlohmann::json context = {{"cpu_model", "Synthetic CPU"}, {"cpu_count", 2},        {"host_kernel", "6.1.0-test"},
                            {"cgroup_mode", "v2"},          {"num_cpus", 2},         {"library_build_type", "release"},
                            {"backends", {{"vm", {{"available", true}, {"accelerator", "kvm"}}}}}};
  return write(out_path, {{"context", context}, {"benchmarks", rows}}) ? 0 : 1;
}

template <class T>
bool parse(const char* text, T& out) {
  std::string_view view(text);
  auto [end, ec] = std::from_chars(view.data(), view.data() + view.size(), out);
  return ec == std::errc() && end == view.data() + view.size();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage();
  std::string command = argv[1];
  if (command == "scale" && argc == 5) {
    double factor = 0;
    if (!parse(argv[4], factor)) return usage();
    return scale(argv[2], argv[3], factor);
  }
  if (command == "synth" && (argc == 6 || argc == 7)) {
    int benchmarks = 0, repetitions = 0;
    std::uint64_t seed = 0;
    double factor = 1;
    if (!parse(argv[3], benchmarks) || !parse(argv[4], repetitions) || !parse(argv[5], seed)) return usage();
    if (argc == 7 && !parse(argv[6], factor)) return usage();
    return synth(argv[2], benchmarks, repetitions, seed, factor);
  }
  return usage();
}
