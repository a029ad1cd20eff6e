// Judging NEW against BASE, benchmark by benchmark and metric by metric. A change is a
// regression or an improvement only when it is both significant and large
// (|change| >= threshold): significance alone flags a 0.3% shift measured 10,000 times,
// size alone flags one noisy run. Significant means Holm-adjusted p < alpha over every
// test of the comparison (bench/stats/multiple_testing.hpp says why Holm): the chance
// that a comparison of unchanged code flags anything is at most alpha, however many
// benchmarks it judges.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/stats/intervals.hpp"
#include "bench/results/metric.hpp"
#include "bench/results/model.hpp"

namespace isobench::compare {

struct CompareSettings {
  double alpha = 0.01;      // significance level; the change's interval is at 1 - alpha
  double threshold = 0.05;  // minimum |relative change of the median| that counts
  // Compare each benchmark's ratio to SUITE/bare/WORKLOAD measured in the same run
  // instead of absolute values: for baselines recorded on another machine.
  bool normalize_bare = false;
  // Metrics to judge; empty: real_time. "all": real_time and every counter whose name
  // says which way is better.
  std::vector<std::string> metrics;
  int resamples = stats::kDefaultResamples;  // bootstrap draws for intervals
  double noisy_cv = 0.10;                    // a sample more variable than this is flagged
};

enum class Verdict {
  kRegression,    // significant and beyond the threshold, the worse way
  kImprovement,   // significant and beyond the threshold, the better way
  kNoChange,      // not significant, or within the threshold
  kInconclusive,  // cannot be judged: too few repetitions, no samples in BASE, ...
  kFailed,        // NEW's repetitions failed (not because a backend is unavailable)
  kSkipped,       // NEW's backend is unavailable on this host
  kNew,           // only in NEW
  kMissing,       // only in BASE
};
std::string_view to_string(Verdict verdict);

struct Finding {
  std::string benchmark;
  std::string metric;  // empty for kNew/kMissing/kFailed/kSkipped
  Verdict verdict = Verdict::kNoChange;
  std::optional<Direction> direction;
  // Absolute mode: the medians of the metric. Normalized mode: the medians of the ratio
  // to bare (median over median).
  std::optional<double> base_value, new_value;
  std::optional<double> change;  // new / base - 1
  // Of new / base - 1 at 1 - alpha: absolute mode, the Mann-Whitney (Moses) interval of
  // the scale change; normalized mode, the bootstrap interval of the ratio's change.
  std::optional<stats::Interval> change_ci;
  std::optional<double> p_value;     // the test's own
  std::optional<double> p_adjusted;  // Holm over the comparison's family; the verdict uses it
  // The smallest p-value the test can give with these repetitions (the verdict is
  // inconclusive, and the finding outside the family, when it is not below alpha).
  std::optional<double> smallest_p;
  bool awaiting_family = false;  // tested; the verdict waits for decide_family()
  std::size_t base_n = 0, new_n = 0;
  double base_cv = 0, new_cv = 0;
  std::string test;  // "mann-whitney-exact", "mann-whitney-normal", "bootstrap-ratio",
                     // "block-signed-rank-exact", "block-signed-rank-normal"
  std::string note;  // why, for anything but a plain verdict
};

// A finding with its verdict and note, and the metric's direction when there is one;
// the figures are filled in by the test that decided it.
Finding make_finding(const std::string& benchmark, const std::string& metric, Verdict verdict, std::string note = {});

struct Comparison {
  CompareSettings settings;
  std::vector<Finding> findings;
  std::string design = "independent samples";  // or "ABBA blocks" (bench ab)
  // The family Holm's correction ran over (the findings that were tested), and how many
  // of those could not reach alpha / family_size with their repetitions: those can be
  // flagged only when others are, so a clean result says less about them.
  std::size_t family_size = 0;
  std::size_t below_holm_reach = 0;
  std::size_t count(Verdict verdict) const;
  // Exit status 1: a regression, or a benchmark whose repetitions failed in NEW.
  bool gate_fails() const { return count(Verdict::kRegression) > 0 || count(Verdict::kFailed) > 0; }
};

// Holm's correction over every finding awaiting the family, then each one's verdict
// (adjusted p < alpha and |change| >= threshold). Called once, after all are tested.
void decide_family(Comparison& comparison);

// Fails (input error) when a requested metric has no known direction or appears in
// neither file, or when the files have no benchmark in common.
Result<Comparison> compare_results(const ResultsFile& base, const ResultsFile& next, const CompareSettings& settings);

}  // namespace isobench::compare
