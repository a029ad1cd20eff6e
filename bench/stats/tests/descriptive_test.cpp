#include "stats/descriptive.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace isobench::stats {
namespace {

TEST(StatsMedian, OddCountIsTheMiddleValue) {
  std::vector<double> v{5, 1, 3};
  EXPECT_DOUBLE_EQ(median(v), 3);
}

TEST(StatsMedian, EvenCountAveragesTheTwoMiddleValues) {
  std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(median(v), 2.5);
}

TEST(StatsQuantile, InterpolatesLinearlyBetweenOrderStatistics) {
  std::vector<double> sorted{1, 2, 3, 4, 5};
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0), 1);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 1), 5);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.5), 3);
  EXPECT_DOUBLE_EQ(quantile_of_sorted(sorted, 0.1), 1.4);
}

TEST(StatsCoefficientOfVariation, IsSampleStddevOverMean) {
  std::vector<double> v{2, 4, 4, 4, 5, 5, 7, 9};  // mean 5, sample stddev 2.138
  EXPECT_NEAR(coefficient_of_variation(v), 2.13809 / 5, 1e-5);
  EXPECT_EQ(coefficient_of_variation(std::vector<double>{3}), 0);
  EXPECT_EQ(coefficient_of_variation(std::vector<double>{0, 0}), 0);
}

TEST(StatsMedianAbsoluteDeviation, IsTheMedianDistanceFromTheMedian) {
  std::vector<double> v{1, 1, 2, 2, 4, 6, 9};  // median 2; deviations 1 1 0 0 2 4 7
  EXPECT_DOUBLE_EQ(median_absolute_deviation(v), 1);
}

TEST(StatsMadOutliers, FlagsOnlyTheFarValue) {
  std::vector<double> v{10, 10.1, 9.9, 10.2, 9.8, 10.05, 50};
  Outliers out = mad_outliers(v);
  ASSERT_EQ(out.indices.size(), 1u);
  EXPECT_EQ(out.indices[0], 6u);
  EXPECT_LT(out.high_fence, 50);
  EXPECT_GT(out.high_fence, 10.2);
}

TEST(StatsMadOutliers, FallsBackToMeanDeviationWhenMostValuesAreEqual) {
  std::vector<double> v{5, 5, 5, 5, 5, 6};
  Outliers out = mad_outliers(v);
  ASSERT_EQ(out.indices.size(), 1u);
  EXPECT_EQ(out.indices[0], 5u);
}

TEST(StatsMadOutliers, NoneWhenEveryValueIsEqual) {
  std::vector<double> v{7, 7, 7};
  EXPECT_TRUE(mad_outliers(v).indices.empty());
}

}  // namespace
}  // namespace isobench::stats
