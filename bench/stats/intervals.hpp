// Confidence intervals for the figures isobench reports: the median of one benchmark,
// the ratio of two medians (container/bare in one run), and the change of such a ratio
// between two runs.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "random.hpp"

namespace isobench::stats {

struct Interval {
  double low = 0;
  double high = 0;
  // The coverage actually achieved: order statistics give discrete levels, so a median
  // interval may be wider than asked for (never narrower, except when the sample is too
  // small for any pair of order statistics to reach it: then [min, max] and its level).
  double level = 0;
};

// P(Binomial(n, 1/2) <= k).
double binomial_half_cdf(std::size_t n, std::size_t k);

// Distribution-free interval of the median from order statistics (Conover 1999, 3.2):
// [X(l), X(n+1-l)] with l the largest rank such that P(Binomial(n, 1/2) < l) <= (1-level)/2.
// Assumes only independent repetitions of a continuous quantity.
// REQUIRES: !values.empty(), 0 < level < 1.
Interval median_ci(std::span<const double> values, double level = 0.95);

struct RatioEstimate {
  double ratio = 0;  // median(numerator) / median(denominator)
  Interval ci;       // percentile bootstrap
};

inline constexpr int kDefaultResamples = 2000;

// The ratio of two independent samples' medians with a percentile-bootstrap interval:
// each resample draws both samples again with replacement. Fixed seed, so the same
// inputs give the same interval. nullopt when a sample is empty or the denominator's
// median is not positive.
std::optional<RatioEstimate> ratio_of_medians(std::span<const double> numerator,
                                              std::span<const double> denominator, double level = 0.95,
                                              int resamples = kDefaultResamples,
                                              std::uint64_t seed = kDefaultSeed);

// Change between two runs of a ratio measured inside each run:
//   (median(new_x) / median(new_ref)) / (median(base_x) / median(base_ref))
// with a percentile-bootstrap interval over all four samples (every source of noise is
// resampled, including the reference's), and the bootstrap's two-sided p-value for
// "no change": twice the smaller share of resampled changes on either side of 1.
struct RatioChange {
  double change = 1;  // 1 = the ratio did not move
  Interval ci;
  double p_value = 1;
};
std::optional<RatioChange> ratio_change(std::span<const double> base_x, std::span<const double> base_ref,
                                        std::span<const double> new_x, std::span<const double> new_ref,
                                        double level, int resamples = kDefaultResamples,
                                        std::uint64_t seed = kDefaultSeed);

// Geometric mean over k benchmarks of median(numerator_i) / median(denominator_i), with
// a percentile-bootstrap interval: every resample redraws every sample of every pair
// (each pair independently), so the interval carries each benchmark's own noise.
// nullopt when no pair has two non-empty samples with positive medians; such pairs
// are skipped.
struct SamplePair {
  std::span<const double> numerator;
  std::span<const double> denominator;
};
std::optional<RatioEstimate> geometric_mean_ratio(std::span<const SamplePair> pairs, double level = 0.95,
                                                  int resamples = kDefaultResamples,
                                                  std::uint64_t seed = kDefaultSeed);

// median(a) - median(b) of two independent samples, with a percentile-bootstrap
// interval. nullopt when a sample is empty.
struct DifferenceEstimate {
  double difference = 0;
  Interval ci;
};
std::optional<DifferenceEstimate> difference_of_medians(std::span<const double> a, std::span<const double> b,
                                                        double level = 0.95, int resamples = kDefaultResamples,
                                                        std::uint64_t seed = kDefaultSeed);

// How many repetitions would make an interval [low, high] around `point`, measured with
// `repetitions`, clear `threshold`: an interval's half-width shrinks as 1/sqrt(n), so
// n' = n * (half-width / distance to the threshold)^2, rounded up. On a log scale for
// ratios (`log_scale`), linear for differences. nullopt when the point sits on the
// threshold (no number of repetitions is predicted to decide) or inputs are not
// usable; at least repetitions + 1 otherwise.
std::optional<long> repetitions_to_decide(double point, double low, double high, double threshold,
                                          std::size_t repetitions, bool log_scale);

}  // namespace isobench::stats
