#include "harness/progress.hpp"
#include "harness/run_timings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

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
  // a: 2 left at its own mean 3 s; b: never run, its prior scaled by 6 s against 2 s,
  // shrunk toward 1 by the prior weight: (6 + W) / (2 + W).
  const double w = ProgressMeter::kPriorWeightS;
  EXPECT_DOUBLE_EQ(meter.remaining_s(), 2 * 3.0 + 2 * 3.0 * (6 + w) / (2 + w));
  EXPECT_EQ(meter.line(0, 65), "[1/2] a (3/4), 1m05s in, about 13s left");
}

// The scale follows the finished repetitions once they outweigh the prior weight: priors
// three times too low read about x2.6 after 5 minutes of run, x2.9 after 30.
TEST(ProgressMeter, TheScaleConvergesToWhatTheRunShows) {
  ProgressMeter meter({{"a", 1000, 1.0, true}, {"b", 10, 1.0, true}});
  for (int i = 0; i < 100; ++i) meter.finished(0, 3.0);
  const double after_300_s = meter.remaining_s() / (900 + 10);
  EXPECT_NEAR(after_300_s, (300 + ProgressMeter::kPriorWeightS) / (100 + ProgressMeter::kPriorWeightS), 1e-9);
  EXPECT_GT(after_300_s, 2.5);
  for (int i = 0; i < 500; ++i) meter.finished(0, 3.0);
  EXPECT_GT(meter.remaining_s() / (400 + 10), 2.8);
}

// A measured prior (the last run's figure) is scaled, never replaced by the row's own
// mean: rows sharing one instance take its whole cost in whichever repetition launches it.
TEST(ProgressMeter, AMeasuredPriorIsScaledNotReplacedByTheRowsOwnMean) {
  ProgressMeter meter({{"overhead/qemu/a", 4, 1.0, true}, {"overhead/qemu/b", 4, 1.0, true}});
  meter.finished(0, 4.0);  // a launched the shared guest: 4 s
  meter.finished(1, 0.0);  // b read the same guest's figures
  // Each has 3 left at its prior times the shrunk scale (4 + W) / (2 + W), not a at its
  // own 4 s and b at 0 s.
  const double w = ProgressMeter::kPriorWeightS;
  EXPECT_DOUBLE_EQ(meter.remaining_s(), 6 * 1.0 * (4 + w) / (2 + w));
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

// timings.json: each benchmark's repetitions summed, per suite and per suite x backend,
// the phases outside the benchmarks in the total, and a summary naming the costliest pairs.
TEST(RunTimings, SumsRepetitionsPerBenchmarkSuiteAndBackend) {
  RunTimings timings;
  timings.phase("setup", 2.0);
  timings.repetition("syscall/vm/getpid", 9.0);  // the launch the other rows share
  timings.repetition("syscall/vm/getpid", 8.0);
  timings.repetition("syscall/vm/stat", 0.5);
  timings.repetition("startup/bare/noop", 0.25);
  timings.repetition("ladder/container/noop/spawn", 1.0);
  timings.phase("report", 3.0);
  nlohmann::json out = timings.to_json();
  EXPECT_DOUBLE_EQ(out["benchmarks"]["syscall/vm/getpid"]["wall_s"].get<double>(), 17.0);
  EXPECT_EQ(out["benchmarks"]["syscall/vm/getpid"]["repetitions"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(out["by_suite_backend"]["syscall/vm"].get<double>(), 17.5);
  EXPECT_DOUBLE_EQ(out["by_suite_backend"]["ladder/container"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(out["by_suite"]["startup"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(out["phases"]["benchmarks"].get<double>(), 18.75);
  EXPECT_DOUBLE_EQ(out["total_s"].get<double>(), 23.75);
  EXPECT_EQ(timings.summary(),
            "wall time 24s, setup 2s, report 3s, benchmarks 19s (most: syscall/vm 18s, ladder/container 1s, "
            "startup/bare 0s)");
  EXPECT_EQ(suite_backend_of("net/container-nat/rr"), "net/container-nat");
  EXPECT_EQ(suite_backend_of("odd"), "odd");
}

// The last run's wall time per repetition is kept per kind of run; a later run updates
// what it ran and keeps the rest; a missing or broken file gives no priors.
TEST(RememberedTimings, RoundTripMergeAndBrokenFiles) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("isobench-timings-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto path = remembered_timings_path(dir, /*quick=*/true);
  EXPECT_EQ(path, dir / "timings" / "quick.json");
  EXPECT_TRUE(remembered_timings(path).empty());

  RunTimings first;
  first.repetition("startup/vm/noop", 3.0);
  first.repetition("startup/vm/noop", 5.0);
  first.repetition("startup/bare/noop", 0.002);
  ASSERT_TRUE(remember_timings(first, path));
  RunTimings second;
  second.repetition("startup/vm/noop", 2.0);
  ASSERT_TRUE(remember_timings(second, path));
  auto remembered = remembered_timings(path);
  ASSERT_EQ(remembered.size(), 2u);
  EXPECT_DOUBLE_EQ(remembered["startup/vm/noop"], 2.0);
  EXPECT_DOUBLE_EQ(remembered["startup/bare/noop"], 0.002);

  { std::ofstream(path) << "{not json"; }
  EXPECT_TRUE(remembered_timings(path).empty());
  std::filesystem::remove_all(dir);
}
