#include "harness/progress.hpp"

#include <gtest/gtest.h>

using namespace isobench;

TEST(ProgressMeter, TheFirstEstimateIsThePriorsTimesTheRepetitions) {
  ProgressMeter meter({{"startup/vm/noop", 5, 4.0}, {"startup/bare/noop", 10, 0.1}});
  EXPECT_DOUBLE_EQ(meter.estimated_total_s(), 21.0);
  EXPECT_DOUBLE_EQ(meter.remaining_s(), 21.0);
}

TEST(ProgressMeter, ARunBenchmarkIsEstimatedFromItsOwnMeanAndTheOthersFromScaledPriors) {
  ProgressMeter meter({{"a", 4, 1.0}, {"b", 2, 3.0}});
  meter.finished(0, 2.0);  // twice the prior
  meter.finished(0, 4.0);
  // a: 2 left at its own mean 3 s; b: never run, its prior scaled by 6 s / 2 s = 3.
  EXPECT_DOUBLE_EQ(meter.remaining_s(), 2 * 3.0 + 2 * 3.0 * 3.0);
  EXPECT_EQ(meter.line(0, 65), "[1/2] a (3/4), 1m05s in, about 24s left");
}

TEST(ProgressMeter, NothingIsLeftOnceEveryRepetitionFinished) {
  ProgressMeter meter({{"a", 1, 1.0}});
  meter.finished(0, 0.5);
  EXPECT_DOUBLE_EQ(meter.remaining_s(), 0.0);
}

TEST(FormatDuration, SecondsMinutesHours) {
  EXPECT_EQ(format_duration(42.4), "42s");
  EXPECT_EQ(format_duration(185), "3m05s");
  EXPECT_EQ(format_duration(3720), "1h02m");
  EXPECT_EQ(format_duration(-1), "0s");
}
