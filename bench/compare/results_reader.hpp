// Reading a results.json (Google Benchmark's JSON with isobench's manifest in
// `context`) strictly: anything that is not that format is an input error naming the
// file and the offending row, never a crash or a silent gap. Only what `bench compare`
// needs is kept: each benchmark's per-repetition samples of every numeric metric.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "../../runtimes/common/error.hpp"

namespace isobench::compare {

struct BenchmarkSamples {
  std::string name;  // run_name: SUITE/BACKEND/WORKLOAD[/ARG]
  // One value per successful repetition: real_time and cpu_time in seconds, counters
  // in their own unit (the unit is in the name).
  std::map<std::string, std::vector<double>> metrics;
  std::size_t failed = 0;       // repetitions with error_occurred
  std::size_t unavailable = 0;  // of those, "unavailable: <reason>" (backend cannot run here)
  std::string error_message;    // the first failure's

  std::size_t repetitions() const;  // successful ones
};

struct ResultsFile {
  std::string source;  // what messages call it: the path
  nlohmann::json context = nlohmann::json::object();
  std::vector<BenchmarkSamples> benchmarks;  // in the order of first appearance

  const BenchmarkSamples* find(std::string_view name) const;

 private:
  friend Result<ResultsFile> parse_results(std::string_view, const std::string&);
  std::unordered_map<std::string, std::size_t> index_;
};

// Refuses files larger than this: a results file is kilobytes to a few megabytes.
inline constexpr std::uintmax_t kMaxResultsBytes = 256ull << 20;

// `text` is the whole file; `source` names it in messages. The error is one line.
Result<ResultsFile> parse_results(std::string_view text, const std::string& source);

// Reads `path`, or `path`/results.json when `path` is a results folder.
Result<ResultsFile> read_results(const std::filesystem::path& path);

}  // namespace isobench::compare
