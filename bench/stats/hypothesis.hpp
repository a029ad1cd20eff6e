// Two-sample tests for "did this benchmark change?": neither assumes a distribution,
// since repetition times on a shared host are skewed and heavy-tailed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

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

// Two-sided permutation test on the difference of medians, median(b) - median(a):
// the pooled values are reshuffled `permutations` times (fixed seed) and
// p = (1 + #{|T*| >= |T|}) / (1 + permutations), as in Firecracker's A/B tool.
TestResult permutation_test(std::span<const double> a, std::span<const double> b, int permutations = 9999,
                            std::uint64_t seed = kDefaultSeed);

}  // namespace isobench::stats
