#include "model.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "runtimes/common/unique_fd.hpp"
#include "bench/results/metric.hpp"

namespace isobench::results {
namespace {

using nlohmann::json;

// Google Benchmark's bookkeeping keys in a row; every other numeric key is a counter.
constexpr std::array kRowKeys = {
    "name",          "run_name",       "run_type",   "family_index", "per_family_instance_index",
    "repetitions",   "repetition_index", "threads",  "iterations",   "real_time",
    "cpu_time",      "time_unit",      "aggregate_name", "aggregate_unit", "error_occurred",
    "error_message", "label",          "big_o",      "rms",          "complexity_n",
    "attributes",
};

bool is_row_key(std::string_view key) {
  for (std::string_view known : kRowKeys)
    if (key == known) return true;
  return false;
}

// Row names and messages go into one-line errors and a terminal table: no control
// characters, and not unbounded.
std::string printable(std::string_view text, std::size_t limit = 120) {
  std::string out;
  std::size_t keep = std::min(limit, text.size());
  // Cut before a UTF-8 continuation byte, never inside a character.
  while (keep < text.size() && keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  for (char c : text.substr(0, keep)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  if (keep < text.size()) out += "...";
  return out;
}

// nlohmann's messages start with "[json.exception.parse_error.101] ".
std::string without_exception_tag(std::string message) {
  if (message.starts_with("[json.exception.")) {
    auto close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  return printable(message, 300);
}

Result<double> finite_number(const json& row, const char* key, const std::string& where) {
  const json& value = row.at(key);
  if (!value.is_number()) return fail(where + ": `" + key + "` is not a number");
  double number = value.get<double>();
  if (!std::isfinite(number)) return fail(where + ": `" + key + "` is not finite");
  return number;
}

Result<std::string> string_field(const json& row, const char* key, const std::string& where) {
  auto it = row.find(key);
  if (it == row.end()) return fail(where + ": no `" + key + "`");
  if (!it->is_string()) return fail(where + ": `" + key + "` is not a string");
  return it->get<std::string>();
}

// The successful repetition `row`'s metrics into `into`.
Result<void> read_iteration(const json& row, const std::string& where, BenchmarkSamples& into) {
  if (!row.contains("real_time")) return fail(where + ": no `real_time`");
  auto real_time = finite_number(row, "real_time", where);
  if (!real_time) return std::unexpected(real_time.error());
  auto unit = string_field(row, "time_unit", where);
  if (!unit) return std::unexpected(unit.error());
  auto real_s = seconds_from(*real_time, *unit);
  if (!real_s) return fail(where + ": unknown time_unit `" + printable(*unit) + "` (expected ns, us, ms or s)");
  if (*real_s < 0) return fail(where + ": negative real_time");
  into.metrics[std::string(kRealTime)].push_back(*real_s);
  auto index = row.find("repetition_index");
  into.repetition_index.push_back(index != row.end() && index->is_number_integer() ? index->get<int>() : -1);
  json attributes = json::object();
  if (auto it = row.find("attributes"); it != row.end()) {
    if (!it->is_object()) return fail(where + ": `attributes` is not an object");
    attributes = *it;
  } else if (auto label = row.find("label"); label != row.end() && label->is_string()) {
    attributes = attributes_from_label(label->get<std::string>());
  }
  for (const auto& [key, value] : attributes.items()) {
    if (!into.attributes.contains(key)) into.attributes[key] = value;
    into.attribute_values[key].insert(value.is_string() ? value.get<std::string>() : value.dump());
  }
  if (row.contains("cpu_time")) {
    auto cpu_time = finite_number(row, "cpu_time", where);
    if (!cpu_time) return std::unexpected(cpu_time.error());
    into.metrics[std::string(kCpuTime)].push_back(*seconds_from(*cpu_time, *unit));
  }
  for (const auto& [key, value] : row.items()) {
    if (is_row_key(key)) continue;
    if (!value.is_number()) continue;  // strings and flags other tools add
    double number = value.get<double>();
    if (!std::isfinite(number)) return fail(where + ": counter `" + printable(key) + "` is not finite");
    into.metrics[key].push_back(number);
  }
  return {};
}

Result<void> read_row(const json& row, std::size_t index, ResultsFile& file,
                      std::unordered_map<std::string, std::size_t>& by_name) {
  std::string where = "benchmarks[" + std::to_string(index) + "]";
  if (!row.is_object()) return fail(where + ": not an object");
  auto name = string_field(row, "name", where);
  if (!name) return std::unexpected(name.error());
  if (name->empty()) return fail(where + ": empty `name`");
  auto run_type = string_field(row, "run_type", where);
  if (!run_type) return std::unexpected(run_type.error());
  if (*run_type == "aggregate") return {};  // recomputed from the repetitions
  if (*run_type != "iteration")
    return fail(where + ": unknown run_type `" + printable(*run_type) + "` (expected iteration or aggregate)");

  std::string run_name = *name;
  if (row.contains("run_name")) {
    auto explicit_name = string_field(row, "run_name", where);
    if (!explicit_name) return std::unexpected(explicit_name.error());
    if (explicit_name->empty()) return fail(where + ": empty `run_name`");
    run_name = std::move(*explicit_name);
  }
  where += " (" + printable(run_name) + ")";

  auto [slot, inserted] = by_name.try_emplace(run_name, file.benchmarks.size());
  if (inserted) {
    file.benchmarks.emplace_back();
    BenchmarkSamples& fresh = file.benchmarks.back();
    fresh.name = run_name;
    std::string_view rest = run_name;
    std::string* parts[] = {&fresh.suite, &fresh.backend, &fresh.workload};
    for (std::string* part : parts) {
      auto slash = rest.find('/');
      *part = std::string(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    }
    fresh.arg = std::string(rest);
  }
  BenchmarkSamples& samples = file.benchmarks[slot->second];

  bool failed = false;
  if (auto flag = row.find("error_occurred"); flag != row.end()) {
    if (!flag->is_boolean()) return fail(where + ": `error_occurred` is not true or false");
    failed = flag->get<bool>();
  }
  if (!failed) return read_iteration(row, where, samples);

  std::string message;
  if (auto it = row.find("error_message"); it != row.end()) {
    if (!it->is_string()) return fail(where + ": `error_message` is not a string");
    message = it->get<std::string>();
  }
  ++samples.failed;
  if (message.starts_with("unavailable: ")) ++samples.unavailable;
  if (samples.error_message.empty()) samples.error_message = printable(message, 300);
  return {};
}

}  // namespace

std::size_t BenchmarkSamples::repetitions() const {
  auto it = metrics.find(std::string(kRealTime));
  return it == metrics.end() ? 0 : it->second.size();
}

const std::vector<double>& BenchmarkSamples::values(std::string_view metric) const {
  static const std::vector<double> kNone;
  auto it = metrics.find(std::string(metric));
  return it == metrics.end() ? kNone : it->second;
}

std::string BenchmarkSamples::attribute(std::string_view key) const {
  auto it = attributes.find(std::string(key));
  if (it == attributes.end()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

const BenchmarkSamples* ResultsFile::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &benchmarks[it->second];
}

const BenchmarkSamples* ResultsFile::measured(std::string_view name) const {
  const BenchmarkSamples* found = find(name);
  return found != nullptr && found->repetitions() > 0 ? found : nullptr;
}

std::vector<const BenchmarkSamples*> ResultsFile::select(std::string_view suite, std::string_view backend) const {
  std::vector<const BenchmarkSamples*> out;
  for (const BenchmarkSamples& bench : benchmarks)
    if (bench.suite == suite && (backend.empty() || bench.backend == backend)) out.push_back(&bench);
  return out;
}

json attributes_from_label(std::string_view label) {
  json out = json::object();
  // Labels that are a JSON object (how isobench's harness hands attributes through
  // Google Benchmark) are taken whole.
  if (label.starts_with("{")) {
    json parsed = json::parse(label, nullptr, /*allow_exceptions=*/false);
    if (parsed.is_object()) return parsed;
  }
  std::size_t at = 0;
  while (at < label.size()) {
    std::size_t end = label.find(' ', at);
    if (end == std::string_view::npos) end = label.size();
    std::string_view word = label.substr(at, end - at);
    if (auto equals = word.find('='); equals != std::string_view::npos && equals > 0)
      out[std::string(word.substr(0, equals))] = std::string(word.substr(equals + 1));
    at = end + 1;
  }
  return out;
}

Result<ResultsFile> parse_results(std::string_view text, const std::string& source) {
  if (text.empty()) return fail(in_quotes(printable(source, 300)) + ": empty file, expected Google Benchmark JSON");
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {
    return fail(in_quotes(printable(source, 300)) + ": not JSON: " + without_exception_tag(e.what()));
  }
  return from_json(std::move(document), source);
}

Result<ResultsFile> from_json(json document, const std::string& source) {
  auto failure = [&](const std::string& what) { return fail(in_quotes(printable(source, 300)) + ": " + what); };
  if (!document.is_object()) return failure("not a results file: the top level is not a JSON object");
  auto benchmarks = document.find("benchmarks");
  if (benchmarks == document.end())
    return failure("not a results file: no `benchmarks` array (expected Google Benchmark JSON)");
  if (!benchmarks->is_array()) return failure("not a results file: `benchmarks` is not an array");
  if (benchmarks->empty()) return failure("no benchmark rows");
  auto context = document.find("context");
  if (context == document.end()) return failure("not a results file: no `context` object");
  if (!context->is_object()) return failure("not a results file: `context` is not an object");

  ResultsFile file;
  file.source = printable(source, 300);
  file.context = std::move(*context);
  if (auto claims = document.find("claims"); claims != document.end()) file.claims = std::move(*claims);
  for (std::size_t i = 0; i < benchmarks->size(); ++i)
    if (auto row = read_row((*benchmarks)[i], i, file, file.index_); !row) return failure(row.error().message);
  if (file.benchmarks.empty()) return failure("no iteration rows (only aggregates): run with repetitions and without --benchmark_report_aggregates_only");
  return file;
}

Result<ResultsText> read_results_text(const std::filesystem::path& given) {
  std::filesystem::path path = given;
  struct stat info{};
  if (::stat(path.c_str(), &info) != 0) return fail_errno("read results " + in_quotes(path.string()));
  if (S_ISDIR(info.st_mode)) {
    path /= "results.json";
    if (::stat(path.c_str(), &info) != 0) return fail_errno("read results " + in_quotes(path.string()));
  }
  if (!S_ISREG(info.st_mode)) return fail("read results " + in_quotes(path.string()) + ": not a regular file");
  if (static_cast<std::uintmax_t>(info.st_size) > kMaxResultsBytes)
    return fail("read results " + in_quotes(path.string()) + ": " + std::to_string(info.st_size) +
                " bytes, more than a results file can be (" + std::to_string(kMaxResultsBytes >> 20) + " MiB)");

  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno("open " + in_quotes(path.string()));
  std::string text;
  text.resize(static_cast<std::size_t>(info.st_size));
  std::size_t done = 0;
  while (true) {
    if (done == text.size()) text.resize(text.size() + 4096);  // the file grew since stat
    ssize_t n = ::read(fd.get(), text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read " + in_quotes(path.string()));
    }
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
    if (done > kMaxResultsBytes) return fail("read results " + in_quotes(path.string()) + ": too large");
  }
  text.resize(done);
  return ResultsText{std::move(path), std::move(text)};
}

Result<ResultsFile> read_results(const std::filesystem::path& given) {
  auto read = read_results_text(given);
  if (!read) return std::unexpected(read.error());
  return parse_results(read->text, read->path.string());
}

}  // namespace isobench::results
