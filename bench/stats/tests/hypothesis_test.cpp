#include "stats/hypothesis.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "sampling.hpp"

namespace isobench::stats {
namespace {

TEST(StatsMannWhitney, CompleteSeparationOfThreeAgainstThreeIsExactlyOneTenth) {
  std::vector<double> a{1, 2, 3}, b{4, 5, 6};
  TestResult r = mann_whitney_u(a, b);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.statistic, 0);
  EXPECT_NEAR(r.p_value, 0.1, 1e-12);  // 2 / C(6, 3)
  EXPECT_NEAR(mann_whitney_smallest_p(3, 3), 0.1, 1e-12);
}

TEST(StatsMannWhitney, TwentyAgainstTwentySeparatedIsFarBelowAnyAlpha) {
  std::vector<double> a(20), b(20);
  std::iota(a.begin(), a.end(), 1.0);
  std::iota(b.begin(), b.end(), 21.0);
  TestResult r = mann_whitney_u(b, a);
  EXPECT_EQ(r.statistic, 400);
  EXPECT_NEAR(r.p_value, 2 / 137846528820.0, 1e-15);
}

TEST(StatsMannWhitney, IdenticalSamplesGiveNoEvidence) {
  std::vector<double> a{1, 2, 3, 4, 5};
  EXPECT_NEAR(mann_whitney_u(a, a).p_value, 1, 1e-12);
  std::vector<double> same{2, 2, 2};
  EXPECT_EQ(mann_whitney_u(same, same).p_value, 1);
}

TEST(StatsMannWhitney, TiesUseTheCorrectedNormalApproximation) {
  // R: wilcox.test(c(1,1,2,2), c(3,3,4,4), exact = FALSE) gives W = 0, p = 0.02652.
  std::vector<double> a{1, 1, 2, 2}, b{3, 3, 4, 4};
  TestResult r = mann_whitney_u(a, b);
  EXPECT_FALSE(r.exact);
  EXPECT_NEAR(r.p_value, 0.02652, 2e-4);
}

TEST(StatsMannWhitney, ConstantButDifferentSamplesAreSignificant) {
  // Deterministic counters (image_bytes) that moved.
  std::vector<double> a(20, 1000.0), b(20, 1100.0);
  EXPECT_LT(mann_whitney_u(a, b).p_value, 1e-6);
}

TEST(StatsMannWhitney, FalseAlarmRateUnderTheNullStaysNearAlpha) {
  SplitMix64 rng(11);
  int alarms = 0, trials = 1000;
  for (int t = 0; t < trials; ++t) {
    auto a = testing::skewed_sample(rng, 20, 1, 0.3);
    auto b = testing::skewed_sample(rng, 20, 1, 0.3);
    if (mann_whitney_u(a, b).p_value < 0.05) ++alarms;
  }
  EXPECT_LT(alarms, trials * 0.075);
  EXPECT_GT(alarms, trials * 0.025);
}

TEST(StatsMannWhitney, DetectsATenPercentShiftWithTwentyRepetitionsOfQuietData) {
  SplitMix64 rng(12);
  auto a = testing::skewed_sample(rng, 20, 1.0, 0.02);
  auto b = testing::skewed_sample(rng, 20, 1.1, 0.02);
  EXPECT_LT(mann_whitney_u(a, b).p_value, 0.01);
}

TEST(StatsPermutationTest, SeparatesAShiftAndNotTheSameDistribution) {
  SplitMix64 rng(13);
  auto a = testing::skewed_sample(rng, 20, 1.0, 0.05);
  auto b = testing::skewed_sample(rng, 20, 1.5, 0.05);
  auto c = testing::skewed_sample(rng, 20, 1.0, 0.05);
  TestResult shifted = permutation_test(a, b, 2000);
  EXPECT_GT(shifted.statistic, 0.4);
  EXPECT_LT(shifted.p_value, 0.002);
  EXPECT_GT(permutation_test(a, c, 2000).p_value, 0.01);
  EXPECT_EQ(permutation_test(a, b, 500).p_value, permutation_test(a, b, 500).p_value);
}

}  // namespace
}  // namespace isobench::stats

namespace isobench::stats {
namespace {

TEST(StatsMannWhitneyRatioCi, ContainsTheTrueScaleAndAgreesWithTheTest) {
  SplitMix64 rng(14);
  auto a = testing::skewed_sample(rng, 20, 1.0, 0.1);
  auto b = testing::skewed_sample(rng, 20, 1.0, 0.1);
  for (double& v : b) v *= 2;
  auto ci = mann_whitney_ratio_ci(a, b, 0.99);
  ASSERT_TRUE(ci);
  EXPECT_LT(ci->low, 2.0);
  EXPECT_GT(ci->high, 2.0);
  EXPECT_GT(ci->low, 1.0);  // the test rejects, so the interval excludes 1
  EXPECT_GE(ci->level, 0.99);
  auto same = mann_whitney_ratio_ci(a, a, 0.99);
  ASSERT_TRUE(same);
  EXPECT_LT(same->low, 1.0);
  EXPECT_GT(same->high, 1.0);
}

TEST(StatsMannWhitneyRatioCi, NoneWhenTooSmallForTheLevelOrNotPositive) {
  std::vector<double> three{1, 2, 3}, zero{0, 1, 2};
  EXPECT_FALSE(mann_whitney_ratio_ci(three, three, 0.99));
  EXPECT_FALSE(mann_whitney_ratio_ci(zero, three, 0.5));
}

TEST(StatsMannWhitneyRatioCi, LargeSamplesUseTheNormalApproximation) {
  SplitMix64 rng(15);
  auto a = testing::skewed_sample(rng, 200, 1.0, 0.1);
  auto b = testing::skewed_sample(rng, 200, 1.0, 0.1);
  for (double& v : b) v *= 1.5;
  auto ci = mann_whitney_ratio_ci(a, b, 0.95);
  ASSERT_TRUE(ci);
  EXPECT_LT(ci->low, 1.5);
  EXPECT_GT(ci->high, 1.5);
  EXPECT_LT(ci->high / ci->low, 1.2);
}

}  // namespace
}  // namespace isobench::stats
