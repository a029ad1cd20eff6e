#include "stats/multiple_testing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace isobench::stats {
namespace {

TEST(StatsHolm, AdjustsKnownPValuesAsRsPAdjustDoes) {
  // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
  std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  std::vector<double> adjusted = holm_adjust(p);
  ASSERT_EQ(adjusted.size(), 4u);
  EXPECT_NEAR(adjusted[0], 0.03, 1e-12);
  EXPECT_NEAR(adjusted[1], 0.06, 1e-12);  // 1 x 0.04, raised to the 0.06 before it
  EXPECT_NEAR(adjusted[2], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[3], 0.02, 1e-12);
}

TEST(StatsHolm, RejectsLessThanPerTestAlphaWouldAndMoreThanBonferroni) {
  // At alpha 0.05 over five tests: unadjusted, all five pass; Bonferroni (x5) keeps only
  // 0.005 (0.025); Holm keeps it and 0.011 (x4 = 0.044), then stops at 0.02 (x3 = 0.06).
  std::vector<double> p{0.045, 0.011, 0.049, 0.005, 0.02};
  std::vector<double> adjusted = holm_adjust(p);
  int holm = 0, bonferroni = 0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    holm += adjusted[i] < 0.05;
    bonferroni += p[i] * 5 < 0.05;
  }
  EXPECT_EQ(bonferroni, 1);
  EXPECT_EQ(holm, 2);
  EXPECT_NEAR(adjusted[1], 0.044, 1e-12);
  EXPECT_NEAR(adjusted[4], 0.06, 1e-12);
  EXPECT_NEAR(adjusted[0], 0.09, 1e-12);  // 0.045 x 2
  EXPECT_NEAR(adjusted[2], 0.09, 1e-12);  // 0.049 x 1, raised to the 0.09 before it
}

TEST(StatsHolm, NeverExceedsOneAndKeepsTheOrderOfThePValues) {
  std::vector<double> p{0.9, 0.5, 0.7, 0.2, 0.95};
  std::vector<double> adjusted = holm_adjust(p);
  for (std::size_t i = 0; i < p.size(); ++i) {
    EXPECT_LE(adjusted[i], 1.0);
    EXPECT_GE(adjusted[i], p[i]);
    for (std::size_t j = 0; j < p.size(); ++j)
      if (p[i] < p[j]) {
        EXPECT_LE(adjusted[i], adjusted[j]);
      }
  }
  EXPECT_TRUE(holm_adjust(std::vector<double>{}).empty());
}

}  // namespace
}  // namespace isobench::stats
