// What happens to Google Benchmark's output before it becomes results.json, in one
// place and in this order: attributes out of the labels; the results model read from
// the document; `emulated` on every VM-family row; the ratios and statistics on the
// median rows (one interval per figure); the claims. Every derived figure is computed
// here once; the terminal table and the report only format them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/results/traits.hpp"
#include "runtimes/common/error.hpp"

namespace isobench {

// The traits of this build's backend table, for files that do not record them.
const results::TraitsLookup& backend_table_traits();

// Completes `document` in place; returns the statistics' warnings, one line each.
Result<std::vector<std::string>> finish_results(nlohmann::json& document, const std::string& source);

// Adds to each median aggregate row `figures`: for every metric of its repetitions
// (real_time and cpu_time as real_time_s and cpu_time_s, counters by name) the median
// with its 95% order-statistics interval: {median, ci_low, ci_high, ci_level, n}.
void add_figure_intervals(nlohmann::json& document, const results::ResultsFile& model);

// The claims of a results file that has none (written by an older bench), computed and
// added to the file in place. Returns whether it added them.
Result<bool> ensure_claims(const std::filesystem::path& results_json);

}  // namespace isobench
