#include "stats/blocked_test.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "sampling.hpp"

namespace isobench::stats {
namespace {

// Blocks over vectors that outlive them.
struct Sides {
  std::vector<std::vector<double>> base, next;
  std::vector<Block> blocks() const {
    std::vector<Block> out;
    for (std::size_t b = 0; b < base.size(); ++b) out.push_back({base[b], next[b]});
    return out;
  }
};

TEST(StatsBlockedRankSum, OneBlockIsMannWhitney) {
  std::vector<double> a{1.0, 2.5, 3.1, 4.7, 5.2}, b{2.0, 3.0, 6.1, 7.0};
  Block block{a, b};
  TestResult blocked = blocked_rank_sum(std::span<const Block>(&block, 1));
  TestResult plain = mann_whitney_u(a, b);
  EXPECT_TRUE(blocked.exact);
  EXPECT_EQ(blocked.statistic, plain.statistic);
  EXPECT_NEAR(blocked.p_value, plain.p_value, 1e-12);
}

TEST(StatsBlockedRankSum, TwoSeparatedBlocksOfTwoAgainstTwoGiveTwoOverThirtySix) {
  Sides s{{{1, 2}, {10, 11}}, {{3, 4}, {12, 13}}};
  auto blocks = s.blocks();
  TestResult r = blocked_rank_sum(blocks);
  EXPECT_TRUE(r.exact);
  EXPECT_EQ(r.statistic, 0);
  EXPECT_NEAR(r.p_value, 2.0 / 36, 1e-12);  // each block 1 / C(4, 2), both the same way
  EXPECT_NEAR(blocked_rank_sum_smallest_p(blocks), 2.0 / 36, 1e-12);
}

TEST(StatsBlockedRankSum, SmallestPOfFiveBlocksOfThreeIsTwoOverTwentyToTheFifth) {
  Sides s;
  for (int b = 0; b < 5; ++b) {
    s.base.push_back({1, 2, 3});
    s.next.push_back({4, 5, 6});
  }
  auto blocks = s.blocks();
  EXPECT_NEAR(blocked_rank_sum_smallest_p(blocks), 2 / 3.2e6, 1e-18);
  EXPECT_NEAR(blocked_rank_sum(blocks).p_value, 2 / 3.2e6, 1e-18);
  // One repetition a side per block: three blocks can never go below 2 / 2^3.
  Sides thin{{{1}, {2}, {3}}, {{4}, {5}, {6}}};
  EXPECT_NEAR(blocked_rank_sum_smallest_p(thin.blocks()), 0.25, 1e-12);
}

// A host that gets steadily slower while the runs go A B B A A B B A: inside each block
// the side that ran second looks slower, but ABBA alternates which side that is, so an
// unchanged build is not flagged. Two sequential runs on the same host (all of A, then
// all of B) are flagged: drift read as a change.
TEST(StatsBlockedRankSum, DriftCancelsUnderAbbaAndIsFlaggedWhenRunsAreSequential) {
  Sides abba;
  double t = 100;
  for (int b = 0; b < 4; ++b) {
    std::vector<double> first{t, t + 1, t + 2}, second{t + 3, t + 4, t + 5};
    t += 6;
    bool a_first = b % 2 == 0;
    abba.base.push_back(a_first ? first : second);
    abba.next.push_back(a_first ? second : first);
  }
  TestResult r = blocked_rank_sum(abba.blocks());
  EXPECT_EQ(r.statistic, 18);  // 0 + 9 + 0 + 9: exactly the null's mean
  EXPECT_NEAR(r.p_value, 1.0, 1e-9);

  std::vector<double> sequential_a, sequential_b;
  for (int i = 0; i < 12; ++i) sequential_a.push_back(100 + i);
  for (int i = 0; i < 12; ++i) sequential_b.push_back(112 + i);
  EXPECT_LT(mann_whitney_u(sequential_a, sequential_b).p_value, 0.001);
}

TEST(StatsBlockedRankSum, TiesUseTheNormalApproximation) {
  Sides s{{{1, 2, 2}, {5, 5, 6}}, {{2, 3, 4}, {5, 7, 8}}};
  TestResult r = blocked_rank_sum(s.blocks());
  EXPECT_FALSE(r.exact);
  EXPECT_GT(r.p_value, 0);
  EXPECT_LT(r.p_value, 1);
}

TEST(StatsBlockedRankSum, BlocksWithAnEmptySideAreLeftOut) {
  Sides s{{{1, 2}, {}, {10, 11}}, {{3, 4}, {7}, {12, 13}}};
  EXPECT_NEAR(blocked_rank_sum(s.blocks()).p_value, 2.0 / 36, 1e-12);
  Sides none{{{}}, {{1, 2}}};
  EXPECT_EQ(blocked_rank_sum(none.blocks()).p_value, 1);
  EXPECT_EQ(blocked_rank_sum_smallest_p(none.blocks()), 1);
}

// Under "no change" the exact test is valid: over 4,000 simulated A/B runs of five blocks
// of 3 + 3 skewed values, at most 1% (plus sampling error) reject at alpha 0.01.
TEST(StatsBlockedRankSum, UnchangedDataRejectsAtMostAlphaOfTheTime) {
  SplitMix64 rng(42);
  int rejected = 0;
  const int trials = 4000;
  for (int trial = 0; trial < trials; ++trial) {
    Sides s;
    for (int b = 0; b < 5; ++b) {
      double drift = 1 + 0.2 * b;  // the host's state differs between blocks
      auto base = testing::skewed_sample(rng, 3, drift, 0.3 * drift);
      auto next = testing::skewed_sample(rng, 3, drift, 0.3 * drift);
      s.base.push_back(base);
      s.next.push_back(next);
    }
    rejected += blocked_rank_sum(s.blocks()).p_value < 0.01;
  }
  // Binomial(4000, 0.01): mean 40, sd 6.3; 60 is over three sd above.
  EXPECT_LE(rejected, 60);
}

TEST(StatsBlockedRankSum, ATenPercentShiftInEveryBlockIsFoundAndEstimated) {
  SplitMix64 rng(7);
  Sides s;
  for (int b = 0; b < 5; ++b) {
    auto base = testing::skewed_sample(rng, 3, 2.0 + b, 0.01);
    std::vector<double> next;
    for (double v : testing::skewed_sample(rng, 3, 2.0 + b, 0.01)) next.push_back(v * 1.10);
    s.base.push_back(base);
    s.next.push_back(next);
  }
  auto blocks = s.blocks();
  EXPECT_NEAR(blocked_rank_sum(blocks).p_value, 2 / 3.2e6, 1e-15);
  auto ratio = blocked_ratio_estimate(blocks);
  ASSERT_TRUE(ratio);
  EXPECT_NEAR(*ratio, 1.10, 0.02);
}

// Measured on a shared 2-core host: in one block the bare start's slow mode held 54% of
// BASE's repetitions and 12% of NEW's, run 0.2 s apart, with an unchanged build. Two of
// four blocks of 50 + 50 where BASE met a heavier load, two where neither did: each of
// the loaded blocks alone is "significant", but the blocks disagree, and the test says so
// instead of flagging the build.
TEST(StatsBlockedRankSum, ALoadThatChangedWithinSomeBlocksIsNotReadAsAChange) {
  SplitMix64 rng(11);
  Sides s;
  for (int b = 0; b < 4; ++b) {
    bool loaded = b < 2;
    s.base.push_back(testing::skewed_sample(rng, 50, 0.5, loaded ? 1.5 : 0.2));
    s.next.push_back(testing::skewed_sample(rng, 50, 0.5, 0.2));
  }
  EXPECT_LT(mann_whitney_u(s.base[0], s.next[0]).p_value, 1e-4);  // one loaded block alone
  TestResult r = blocked_rank_sum(s.blocks());
  EXPECT_GT(r.overdispersion, 3);
  EXPECT_FALSE(r.exact);
  EXPECT_GT(r.p_value, 0.01);
}

// Blocks whose repetitions are exchangeable widen the test only as often as Cochran's test
// errs (5%): Q / (K - 1) above 1 alone, which happens four times in ten, is not enough.
TEST(StatsBlockedRankSum, ExchangeableBlocksAreWidenedOnlyAsOftenAsTheHomogeneityTestErrs) {
  SplitMix64 rng(13);
  int widened = 0;
  const int trials = 400;
  for (int trial = 0; trial < trials; ++trial) {
    Sides s;
    for (int b = 0; b < 4; ++b) {
      s.base.push_back(testing::skewed_sample(rng, 20, 1.0 + 0.5 * b, 0.4));
      s.next.push_back(testing::skewed_sample(rng, 20, 1.0 + 0.5 * b, 0.4));
    }
    widened += blocked_rank_sum(s.blocks()).overdispersion > 1;
  }
  // Binomial(400, 0.05): mean 20, sd 4.4; 40 is over four sd above.
  EXPECT_LE(widened, 40);
}

// The same blocks with a real 10% slowdown of NEW in all four: the blocks agree, so the
// heterogeneity costs nothing and the shift is found.
TEST(StatsBlockedRankSum, AShiftThatEveryBlockSeesKeepsItsPower) {
  SplitMix64 rng(12);
  Sides s;
  for (int b = 0; b < 4; ++b) {
    s.base.push_back(testing::skewed_sample(rng, 50, 2.5 + 0.5 * b, 0.3));
    std::vector<double> next;
    for (double v : testing::skewed_sample(rng, 50, 2.5 + 0.5 * b, 0.3)) next.push_back(v * 1.10);
    s.next.push_back(next);
  }
  TestResult r = blocked_rank_sum(s.blocks());
  EXPECT_LT(r.overdispersion, 1.5);
  EXPECT_LT(r.p_value, 1e-6);
}

TEST(StatsBlockedRankSum, RatioEstimateNeedsPositiveValues) {
  Sides s{{{1, 0}}, {{2, 3}}};
  EXPECT_FALSE(blocked_ratio_estimate(s.blocks()));
}

}  // namespace
}  // namespace isobench::stats
