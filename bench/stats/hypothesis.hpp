// Two-sample tests for "did this benchmark change?": neither assumes a distribution,
// since repetition times on a shared host are skewed and heavy-tailed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "random.hpp"

namespace isobench::stats {

struct TestResult {
  double statistic = 0;  // U of the first sample; the observed difference for permutations
  double p_value = 1;    // two-sided
  bool exact = false;    // exact null distribution rather than an approximation
};

// Two-sided Mann-Whitney U (Wilcoxon rank-sum) test. Exact null distribution when there
// are no ties and both samples have at most 50 values; otherwise the normal
// approximation with tie and continuity corrections. p = 1 when either sample is empty
// or every value is the same.
TestResult mann_whitney_u(std::span<const double> a, std::span<const double> b);

// The smallest two-sided p-value Mann-Whitney can give for these sizes (complete
// separation, no ties): 2 / C(m + n, m). At or above alpha, no change can be detected.
double mann_whitney_smallest_p(std::size_t m, std::size_t n);

// P(U <= u) for u = 0 .. m*n under "no difference" with no ties, cached per (m, n):
// the exact null distribution.
// REQUIRES: m, n <= 50.
const std::vector<double>& mann_whitney_u_cdf(std::size_t m, std::size_t n);

// The interval of the ratio b / a (a scale shift) that matches the Mann-Whitney test
// (Moses 1965, as in R's wilcox.test conf.int, on logarithms): the order statistics
// k and mn+1-k of the m*n ratios b_j / a_i, with k from U's null distribution. It
// excludes 1 exactly when the test rejects at 1 - level, so the verdict and the
// interval never disagree. nullopt when a value is not positive, when the samples
// are too small for the level, or when m*n exceeds 4 million.
struct RatioInterval {
  double low = 0, high = 0, level = 0;
};
std::optional<RatioInterval> mann_whitney_ratio_ci(std::span<const double> a, std::span<const double> b,
                                                   double level);

// Two-sided permutation test on the difference of medians, median(b) - median(a):
// the pooled values are reshuffled `permutations` times (fixed seed) and
// p = (1 + #{|T*| >= |T|}) / (1 + permutations), as in Firecracker's A/B tool.
TestResult permutation_test(std::span<const double> a, std::span<const double> b, int permutations = 9999,
                            std::uint64_t seed = kDefaultSeed);

}  // namespace isobench::stats
