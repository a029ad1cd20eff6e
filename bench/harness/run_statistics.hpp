// Statistics added to every run's results, from its own iteration rows, so that a
// reader can tell a real difference from noise without rerunning anything. Fields are
// added to Google Benchmark's rows and context; no row is removed or renamed, so its
// compare.py and other tools still read the file.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"

namespace isobench {

// Above this robust coefficient of variation (1.4826 MAD / median, which equals the CV
// for normal samples and ignores a heavy tail) a benchmark's figures are called noisy.
inline constexpr double kHighCv = 0.10;
inline constexpr double kMadToSigma = 1.4826;

// Adds to each `median` aggregate row, over the benchmark's successful repetitions:
//   median_ci_low, median_ci_high  95% interval of the median real time, in the row's
//                                  time_unit (order statistics: no distribution assumed)
//   median_ci_level                the coverage that interval actually has
//   real_time_cv                   coefficient of variation (a fraction: 0.05 is 5%)
//   real_time_robust_cv            1.4826 MAD / median: what "noisy" is judged on
//   outliers                       repetitions beyond the median-absolute-deviation
//                                  fences (modified z-score above 3.5)
//   ratio_to_bare_ci_low/_high     where ratio_to_bare is set: its 95% bootstrap
//   ratio_to_floor_ci_low/_high    interval (fixed seed, so reproducible)
// and to `context`: testbed_fingerprint (the baseline's name for this host) and
// statistics {methods, warnings}. Warnings: noisy benchmarks, a virtualized host,
// frequency scaling, a loaded host. Returns the warnings, one line each.
// Samples come from `model`, the same rows read once.
std::vector<std::string> add_run_statistics(nlohmann::json& results, const results::ResultsFile& model);
// The same, reading the model from `results` first (tests).
std::vector<std::string> add_run_statistics(nlohmann::json& results);

}  // namespace isobench
