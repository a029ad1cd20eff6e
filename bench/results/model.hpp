// The one reader of results.json (Google Benchmark's JSON with isobench's manifest in
// `context` and its `claims`), into a typed model that `bench compare`, the statistics
// and the claims are computed on. Strict: anything that is not that format is an input
// error naming the file and the offending row, never a crash or a silent gap.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtimes/common/error.hpp"

namespace isobench::results {

// One benchmark name's repetitions.
struct BenchmarkSamples {
  std::string name;  // run_name: SUITE/BACKEND/WORKLOAD[/ARG]
  std::string suite, backend, workload, arg;  // its parts; arg may hold further slashes
  // One value per successful repetition: real_time and cpu_time in seconds, counters
  // in their own unit (the unit is in the name).
  std::map<std::string, std::vector<double>> metrics;
  // Google Benchmark's repetition_index of each successful repetition, in the order of
  // `metrics` (-1 where the row had none).
  std::vector<int> repetition_index;
  // The row's attributes (isobench writes them as a JSON object on each iteration row;
  // older files packed key=value pairs into the label): the first successful
  // repetition's, and every distinct value each key took over the repetitions.
  nlohmann::json attributes = nlohmann::json::object();
  std::map<std::string, std::set<std::string>> attribute_values;
  std::size_t failed = 0;       // repetitions with error_occurred
  std::size_t unavailable = 0;  // of those, "unavailable: <reason>" (backend cannot run here)
  std::string error_message;    // the first failure's

  std::size_t repetitions() const;  // successful ones
  // The repetitions of `metric`, empty when the rows do not carry it.
  const std::vector<double>& values(std::string_view metric) const;
  // An attribute as text ("" when absent): strings as they are, other JSON as dumped.
  std::string attribute(std::string_view key) const;
};

struct ResultsFile {
  std::string source;  // what messages call it: the path
  nlohmann::json context = nlohmann::json::object();
  nlohmann::json claims;  // the file's `claims` section as written, null when absent
  std::vector<BenchmarkSamples> benchmarks;  // in the order of first appearance

  const BenchmarkSamples* find(std::string_view name) const;
  // The benchmark when it has at least one successful repetition.
  const BenchmarkSamples* measured(std::string_view name) const;
  // Benchmarks of a suite (and backend, when not empty), in the file's order.
  std::vector<const BenchmarkSamples*> select(std::string_view suite, std::string_view backend = {}) const;

 private:
  friend Result<ResultsFile> parse_results(std::string_view, const std::string&);
  friend Result<ResultsFile> from_json(nlohmann::json, const std::string&);
  std::unordered_map<std::string, std::size_t> index_;
};

// Refuses files larger than this: a results file is kilobytes to a few megabytes.
inline constexpr std::uintmax_t kMaxResultsBytes = 256ull << 20;

// `text` is the whole file; `source` names it in messages. The error is one line.
Result<ResultsFile> parse_results(std::string_view text, const std::string& source);

// The same from a document already parsed (the harness's own output before it is
// written).
Result<ResultsFile> from_json(nlohmann::json document, const std::string& source);

// Reads `path`, or `path`/results.json when `path` is a results folder.
Result<ResultsFile> read_results(const std::filesystem::path& path);

// The same file's text, unparsed, with the path it was read from (at most
// kMaxResultsBytes; one-line errors naming the path).
struct ResultsText {
  std::filesystem::path path;
  std::string text;
};
Result<ResultsText> read_results_text(const std::filesystem::path& path);

// A label as older files wrote attributes: "key=value key=value" (a value cannot hold a
// space there, which is why rows now carry an `attributes` object).
nlohmann::json attributes_from_label(std::string_view label);

}  // namespace isobench::results

// `bench compare` reads through the same model.
namespace isobench::compare {
using results::BenchmarkSamples;
using results::kMaxResultsBytes;
using results::parse_results;
using results::read_results;
using results::ResultsFile;
}  // namespace isobench::compare
