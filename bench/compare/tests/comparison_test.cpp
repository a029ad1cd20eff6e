#include "bench/compare/comparison.hpp"

#include <gtest/gtest.h>

#include "bench/compare/compare_json.hpp"
#include "bench/compare/verdict_table.hpp"
#include "compare_test_util.hpp"

namespace isobench::compare {
namespace {

using testing::noisy_ms;
using testing::parsed;
using testing::results_json;
using testing::scaled;
using testing::SyntheticBenchmark;

Comparison compare(const std::string& base, const std::string& next, CompareSettings settings = {}) {
  auto result = compare_results(parsed(base, "base.json"), parsed(next, "new.json"), settings);
  EXPECT_TRUE(result) << result.error().describe();
  return result ? *result : Comparison{};
}

std::size_t judged(const Comparison& c) {
  return c.count(Verdict::kRegression) + c.count(Verdict::kImprovement) + c.count(Verdict::kNoChange);
}

TEST(CompareVerdicts, ARunComparedWithItselfPasses) {
  Comparison c = compare(testing::fixture_text(), testing::fixture_text());
  EXPECT_EQ(judged(c), 2u);
  EXPECT_EQ(c.count(Verdict::kNoChange), 2u);
  EXPECT_FALSE(c.gate_fails());
  for (const Finding& f : c.findings) EXPECT_DOUBLE_EQ(*f.change, 0);
}

TEST(CompareVerdicts, HalvedTimesAreImprovements) {
  Comparison c = compare(testing::fixture_text(), testing::fixture_scaled(0.5));
  EXPECT_EQ(c.count(Verdict::kImprovement), 2u);
  EXPECT_FALSE(c.gate_fails());
  for (const Finding& f : c.findings) {
    EXPECT_NEAR(*f.change, -0.5, 1e-9);
    // The fixture is a real, very noisy run (bimodal: 3 ms and 12-20 ms), yet halving
    // is detected, and the interval agrees with the test.
    EXPECT_LT(*f.p_value, 0.01);
    EXPECT_LT(f.change_ci->high, 0);
    EXPECT_LT(f.change_ci->low, -0.5);
  }
}

TEST(CompareVerdicts, DoubledTimesAreRegressions) {
  Comparison c = compare(testing::fixture_text(), testing::fixture_scaled(2.0));
  EXPECT_EQ(c.count(Verdict::kRegression), 2u);
  EXPECT_TRUE(c.gate_fails());
  for (const Finding& f : c.findings) EXPECT_NEAR(*f.change, 1.0, 1e-9);
}

TEST(CompareVerdicts, OnePercentOnNoisyDataIsNotARegression) {
  Comparison c = compare(testing::fixture_text(), testing::fixture_scaled(1.01));
  EXPECT_EQ(c.count(Verdict::kNoChange), 2u);
  EXPECT_FALSE(c.gate_fails());
  // Not even with no minimum effect: the shift is lost in the noise.
  CompareSettings no_threshold;
  no_threshold.threshold = 0;
  EXPECT_EQ(compare(testing::fixture_text(), testing::fixture_scaled(1.01), no_threshold).count(Verdict::kNoChange), 2u);
}

TEST(CompareVerdicts, ALargeChangeThatIsNotSignificantIsNoChange) {
  // CV about 80%: a 15% shift of the median in 8 repetitions is within the noise.
  auto base = noisy_ms(21, 8, 1.0, 1.0);
  auto next = scaled(noisy_ms(22, 8, 1.0, 1.0), 1.15);
  Comparison c = compare(results_json({{.name = "s/bare/w", .real_ms = base}}),
                         results_json({{.name = "s/bare/w", .real_ms = next}}));
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kNoChange);
  EXPECT_NE(c.findings[0].note.find("not significant"), std::string::npos) << c.findings[0].note;
}

TEST(CompareVerdicts, ASignificantChangeBelowTheThresholdIsNoChange) {
  auto base = noisy_ms(31, 20, 1.0, 0.001);
  Comparison c = compare(results_json({{.name = "s/bare/w", .real_ms = base}}),
                         results_json({{.name = "s/bare/w", .real_ms = scaled(base, 1.02)}}));
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kNoChange);
  EXPECT_LT(*c.findings[0].p_value, 0.01);
  EXPECT_NE(c.findings[0].note.find("within the 5% threshold"), std::string::npos) << c.findings[0].note;
}

TEST(CompareVerdicts, AHalvedRateIsARegression) {
  auto base = noisy_ms(41, 20, 1.0, 0.01);
  SyntheticBenchmark before{.name = "io/bare/read", .real_ms = base, .counter = "bytes_per_s", .counter_scale = 1e9};
  SyntheticBenchmark after = before;
  after.counter_scale = 0.5e9;
  CompareSettings settings;
  settings.metrics = {"bytes_per_s"};
  Comparison c = compare(results_json({before}), results_json({after}), settings);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].metric, "bytes_per_s");
  EXPECT_EQ(c.findings[0].direction, Direction::kHigherIsBetter);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kRegression);
}

TEST(CompareVerdicts, AllMetricsJudgesEveryCounterWithADirection) {
  auto base = noisy_ms(42, 20, 1.0, 0.01);
  SyntheticBenchmark b{.name = "f/bare/idle", .real_ms = base, .counter = "pss_bytes", .counter_scale = 1e6};
  CompareSettings settings;
  settings.metrics = {"all"};
  Comparison c = compare(results_json({b}), results_json({b}), settings);
  ASSERT_EQ(c.findings.size(), 3u);  // real_time, cpu_time, pss_bytes
  EXPECT_EQ(c.findings[2].metric, "pss_bytes");
}

TEST(CompareVerdicts, TooFewRepetitionsAreInconclusiveNotPassed) {
  Comparison c = compare(results_json({{.name = "startup/vm/noop", .real_ms = {1, 2, 3}}}),
                         results_json({{.name = "startup/vm/noop", .real_ms = {10, 20, 30}}}));
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kInconclusive);
  EXPECT_NE(c.findings[0].note.find("cannot reach"), std::string::npos);
}

TEST(CompareVerdicts, FailuresInNewFailTheGateUnavailableBackendsDoNot) {
  auto ok = noisy_ms(51, 10, 1.0, 0.1);
  std::string base = results_json({{.name = "s/crun/w", .real_ms = ok}, {.name = "s/vm/w", .real_ms = ok}});
  Comparison unavailable = compare(base, results_json({{.name = "s/crun/w", .real_ms = ok},
                                                       {.name = "s/vm/w",
                                                        .error_message = "unavailable: KVM cannot run Linux here",
                                                        .failed_repetitions = 10}}));
  EXPECT_EQ(unavailable.count(Verdict::kSkipped), 1u);
  EXPECT_FALSE(unavailable.gate_fails());
  Comparison failed = compare(base, results_json({{.name = "s/crun/w", .real_ms = ok, .error_message = "exit 1",
                                                   .failed_repetitions = 1},
                                                  {.name = "s/vm/w", .real_ms = ok}}));
  EXPECT_EQ(failed.count(Verdict::kFailed), 1u);
  EXPECT_TRUE(failed.gate_fails());
}

TEST(CompareVerdicts, NewAndMissingBenchmarksAreListed) {
  auto ok = noisy_ms(61, 10, 1.0, 0.1);
  Comparison c = compare(results_json({{.name = "a/bare/x", .real_ms = ok}, {.name = "gone/bare/x", .real_ms = ok}}),
                         results_json({{.name = "a/bare/x", .real_ms = ok}, {.name = "fresh/bare/x", .real_ms = ok}}));
  EXPECT_EQ(c.count(Verdict::kMissing), 1u);
  EXPECT_EQ(c.count(Verdict::kNew), 1u);
  EXPECT_FALSE(c.gate_fails());
}

// BASE on one machine, NEW on one three times slower: absolute times all regress, the
// ratios to bare do not move.
TEST(CompareNormalized, ASlowerMachineIsNotARegressionOfRatios) {
  auto bare = noisy_ms(71, 20, 1.0, 0.05), container = noisy_ms(72, 20, 2.0, 0.05);
  std::string base = results_json({{.name = "s/bare/w", .real_ms = bare}, {.name = "s/container/w", .real_ms = container}});
  std::string slower = results_json({{.name = "s/bare/w", .real_ms = scaled(noisy_ms(73, 20, 1.0, 0.05), 3)},
                                     {.name = "s/container/w", .real_ms = scaled(noisy_ms(74, 20, 2.0, 0.05), 3)}});
  EXPECT_EQ(compare(base, slower).count(Verdict::kRegression), 2u);
  CompareSettings settings;
  settings.normalize_bare = true;
  Comparison c = compare(base, slower, settings);
  ASSERT_EQ(c.findings.size(), 1u);  // bare is the reference
  EXPECT_EQ(c.findings[0].benchmark, "s/container/w");
  EXPECT_EQ(c.findings[0].verdict, Verdict::kNoChange);
  EXPECT_EQ(c.findings[0].test, "bootstrap-ratio");
  EXPECT_NEAR(*c.findings[0].base_value, 2.0, 0.2);
}

TEST(CompareNormalized, ADoubledRatioToBareIsARegression) {
  auto bare = noisy_ms(81, 20, 1.0, 0.05), container = noisy_ms(82, 20, 2.0, 0.05);
  std::string base = results_json({{.name = "s/bare/w", .real_ms = bare}, {.name = "s/container/w", .real_ms = container}});
  std::string next = results_json({{.name = "s/bare/w", .real_ms = scaled(noisy_ms(83, 20, 1.0, 0.05), 0.5)},
                                   {.name = "s/container/w", .real_ms = noisy_ms(84, 20, 2.0, 0.05)}});
  CompareSettings settings;
  settings.normalize_bare = true;
  Comparison c = compare(base, next, settings);
  ASSERT_EQ(c.findings.size(), 1u);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kRegression);
  EXPECT_NEAR(*c.findings[0].change, 1.0, 0.15);
  EXPECT_LT(*c.findings[0].p_value, 0.01);
}

TEST(CompareInputErrors, AMetricWithoutADirectionIsRefused) {
  std::string file = results_json({{.name = "a/bare/x", .real_ms = {1, 2}, .counter = "widgets", .counter_scale = 1}});
  CompareSettings settings;
  settings.metrics = {"widgets"};
  auto result = compare_results(parsed(file), parsed(file), settings);
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().describe().find("`widgets`"), std::string::npos);
}

TEST(CompareInputErrors, FilesWithNothingInCommonAreRefused) {
  auto result = compare_results(parsed(results_json({{.name = "a/bare/x", .real_ms = {1}}})),
                                parsed(results_json({{.name = "b/bare/x", .real_ms = {1}}})), {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().describe().find("no benchmark in common"), std::string::npos);
}

TEST(CompareOutput, TableAndJsonCarryEveryFinding) {
  Comparison c = compare(testing::fixture_text(), testing::fixture_scaled(2.0));
  std::string table = verdict_table(c);
  EXPECT_NE(table.find("startup/bare/noop/floor"), std::string::npos);
  EXPECT_NE(table.find("+100.0%"), std::string::npos) << table;
  EXPECT_NE(table.find("2 regressions"), std::string::npos) << table;
  nlohmann::json json = to_json(c, {"base.json", "new.json", "fp-a", "fp-a"});
  EXPECT_EQ(json["exit_code"], 1);
  EXPECT_EQ(json["summary"]["regression"], 2);
  ASSERT_EQ(json["findings"].size(), 2u);
  EXPECT_EQ(json["findings"][0]["verdict"], "regression");
  EXPECT_EQ(json["findings"][0]["direction"], "lower_is_better");
  EXPECT_NEAR(json["findings"][0]["change"].get<double>(), 1.0, 1e-9);
  EXPECT_EQ(json["settings"]["alpha"], 0.01);
}

}  // namespace
}  // namespace isobench::compare
