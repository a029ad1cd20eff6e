#include "stats/intervals.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "sampling.hpp"

namespace isobench::stats {
namespace {

std::vector<double> one_to(int n) {
  std::vector<double> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1.0);
  return v;
}

TEST(StatsBinomialHalfCdf, MatchesHandComputedValues) {
  EXPECT_NEAR(binomial_half_cdf(4, 0), 1.0 / 16, 1e-12);
  EXPECT_NEAR(binomial_half_cdf(4, 1), 5.0 / 16, 1e-12);
  EXPECT_NEAR(binomial_half_cdf(20, 5), 0.020695, 1e-6);
  EXPECT_EQ(binomial_half_cdf(4, 4), 1);
}

TEST(StatsMedianCi, TwentyValuesUseTheSixthAndFifteenthOrderStatistics) {
  // Conover's table: n = 20 at 95% gives ranks 6 and 15, coverage 1 - 2 * 0.0207.
  std::vector<double> v = one_to(20);
  std::reverse(v.begin(), v.end());
  Interval ci = median_ci(v, 0.95);
  EXPECT_EQ(ci.low, 6);
  EXPECT_EQ(ci.high, 15);
  EXPECT_NEAR(ci.level, 0.9586, 1e-4);
}

TEST(StatsMedianCi, TooFewValuesGiveTheRangeAndSayWhatItCovers) {
  Interval ci = median_ci(one_to(5), 0.95);
  EXPECT_EQ(ci.low, 1);
  EXPECT_EQ(ci.high, 5);
  EXPECT_NEAR(ci.level, 1 - 2.0 / 32, 1e-12);
}

TEST(StatsMedianCi, CoversTheTrueMedianAtLeastAsOftenAsPromised) {
  SplitMix64 rng(42);
  const double true_median = 1 + 0.5 * std::log(2.0);
  int covered = 0, trials = 2000;
  for (int t = 0; t < trials; ++t) {
    auto sample = testing::skewed_sample(rng, 20, 1, 0.5);
    Interval ci = median_ci(sample, 0.95);
    if (ci.low <= true_median && true_median <= ci.high) ++covered;
  }
  // Nominal 95.9%; three standard errors below is 94.6%.
  EXPECT_GT(covered, trials * 0.945);
}

TEST(StatsRatioOfMedians, RecoversAKnownRatioAndIsReproducible) {
  SplitMix64 rng(7);
  auto bare = testing::skewed_sample(rng, 30, 1.0, 0.1);
  auto container = testing::skewed_sample(rng, 30, 3.0, 0.3);
  auto first = ratio_of_medians(container, bare, 0.95);
  auto second = ratio_of_medians(container, bare, 0.95);
  ASSERT_TRUE(first && second);
  EXPECT_NEAR(first->ratio, 3.0, 0.3);
  EXPECT_LT(first->ci.low, first->ratio);
  EXPECT_GT(first->ci.high, first->ratio);
  EXPECT_GT(first->ci.low, 2.0);
  EXPECT_LT(first->ci.high, 4.0);
  EXPECT_EQ(first->ci.low, second->ci.low);
  EXPECT_EQ(first->ci.high, second->ci.high);
}

TEST(StatsRatioOfMedians, NoneWithoutAPositiveDenominator) {
  std::vector<double> zeros{0, 0, 0}, some{1, 2, 3};
  EXPECT_FALSE(ratio_of_medians(some, zeros));
  EXPECT_FALSE(ratio_of_medians(some, std::vector<double>{}));
}

TEST(StatsRatioChange, SameRunsShowNoChange) {
  SplitMix64 rng(3);
  auto x = testing::skewed_sample(rng, 20, 2.0, 0.2);
  auto ref = testing::skewed_sample(rng, 20, 1.0, 0.1);
  auto change = ratio_change(x, ref, x, ref, 0.99);
  ASSERT_TRUE(change);
  EXPECT_DOUBLE_EQ(change->change, 1);
  EXPECT_LT(change->ci.low, 1);
  EXPECT_GT(change->ci.high, 1);
  EXPECT_GT(change->p_value, 0.5);
}

TEST(StatsRatioChange, ADoubledRatioIsDetectedWhateverTheMachineSpeed) {
  SplitMix64 rng(4);
  auto base_x = testing::skewed_sample(rng, 20, 2.0, 0.1);
  auto base_ref = testing::skewed_sample(rng, 20, 1.0, 0.05);
  // The new machine is three times slower, and the benchmark twice as slow relative to bare.
  auto new_ref = testing::skewed_sample(rng, 20, 3.0, 0.15);
  auto new_x = testing::skewed_sample(rng, 20, 12.0, 0.6);
  auto change = ratio_change(base_x, base_ref, new_x, new_ref, 0.99);
  ASSERT_TRUE(change);
  EXPECT_NEAR(change->change, 2.0, 0.15);
  EXPECT_GT(change->ci.low, 1.5);
  EXPECT_LT(change->p_value, 0.01);
}

}  // namespace
}  // namespace isobench::stats
