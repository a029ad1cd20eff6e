#include <gtest/gtest.h>

#include <algorithm>

#include "bench/results/ladder.hpp"
#include "bench/stats/descriptive.hpp"
#include "fixture.hpp"

namespace isobench::results {
namespace {

using testing::around;
using testing::Fixture;
using testing::no_fallback;

std::vector<double> seconds(std::vector<double> ms) {
  for (double& v : ms) v *= 1e-3;
  return ms;
}

const LadderStep& step_named(const std::vector<LadderStep>& steps, const std::string& step) {
  auto it = std::find_if(steps.begin(), steps.end(), [&](const LadderStep& s) { return s.step == step; });
  if (it == steps.end()) throw std::runtime_error("no step " + step);
  return *it;
}

TEST(LadderBaselines, EachStepNamesTheStepItAddsTo) {
  std::vector<std::string> steps = {"spawn", "alone_mnt", "cumulative_1_mnt", "cumulative_2_uts", "cumulative_3_pid"};
  EXPECT_EQ(ladder_baseline("spawn", steps), "");
  EXPECT_EQ(ladder_baseline("alone_uts", steps), "spawn");
  EXPECT_EQ(ladder_baseline("alone_pivot_root", steps), "alone_mnt");
  EXPECT_EQ(ladder_baseline("alone_loopback", steps), "alone_net");
  EXPECT_EQ(ladder_baseline("cumulative_1_mnt", steps), "spawn");
  EXPECT_EQ(ladder_baseline("cumulative_3_pid", steps), "cumulative_2_uts");
  EXPECT_EQ(ladder_baseline("vmm_up", steps), "");
  EXPECT_EQ(ladder_baseline("workload_ready", steps), "vmm_up");
  EXPECT_EQ(ladder_baseline("first_instruction", steps), "vcpu");
}

// A cheap step (alone_ipc) sorts between the floor and alone_uts by its median; the
// old report subtracted whatever sorted below, giving alone_uts 0.05 ms. Each step's
// cost is the median of its paired differences to its declared baseline instead.
TEST(LadderSteps, PairedCostIsTheMedianOfStepSAgainstTheDeclaredBaseline) {
  const int n = 21;
  Fixture fixture;
  fixture.backend("container", "container");
  auto spawn = around(1.0, 0.05, n);
  auto row = [&](const std::string& step, double total_ms, double step_ms, const std::string& baseline) {
    auto totals = around(total_ms, 0.05, n, 3);
    auto steps = seconds(around(step_ms, 0.2, n, 5));
    fixture.rows("ladder/container/noop/" + step, totals, {{"ready_s", seconds(totals)}, {"step_s", steps}},
                 {{"baseline", baseline}});
    return stats::median(steps);
  };
  fixture.rows("ladder/container/noop/spawn", spawn, {{"ready_s", seconds(spawn)}});
  double ipc = row("alone_ipc", 1.05, 0.05, "spawn");
  double uts = row("alone_uts", 1.10, 0.10, "spawn");
  double mnt = row("alone_mnt", 1.60, 0.60, "spawn");
  double pivot = row("alone_pivot_root", 2.00, 0.40, "alone_mnt");
  double user = row("alone_user", 7.00, 6.00, "spawn");

  auto steps = ladder_steps(fixture.model(), no_fallback());
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(step_named(steps, "spawn").method, "floor");
  EXPECT_EQ(step_named(steps, "spawn").baseline, "");
  EXPECT_NEAR(step_named(steps, "spawn").cost_s.point, stats::median(seconds(spawn)), 1e-12);
  EXPECT_DOUBLE_EQ(step_named(steps, "alone_ipc").cost_s.point, ipc);
  EXPECT_DOUBLE_EQ(step_named(steps, "alone_uts").cost_s.point, uts);
  EXPECT_EQ(step_named(steps, "alone_uts").baseline, "spawn");
  EXPECT_EQ(step_named(steps, "alone_uts").method, "paired");
  EXPECT_DOUBLE_EQ(step_named(steps, "alone_mnt").cost_s.point, mnt);
  EXPECT_DOUBLE_EQ(step_named(steps, "alone_pivot_root").cost_s.point, pivot);
  EXPECT_EQ(step_named(steps, "alone_pivot_root").baseline, "alone_mnt");
  EXPECT_DOUBLE_EQ(step_named(steps, "alone_user").cost_s.point, user);
  for (const auto& step : steps) {
    EXPECT_LE(step.cost_s.low, step.cost_s.point) << step.step;
    EXPECT_GE(step.cost_s.high, step.cost_s.point) << step.step;
    EXPECT_EQ(step.verdict, "adds time") << step.step;
  }
}

TEST(LadderSteps, WithoutStepSTheCostIsTheDifferenceOfMediansToTheBaseline) {
  const int n = 15;
  Fixture fixture;
  fixture.backend("container", "container");
  auto spawn = around(1.0, 0.02, n), ipc = around(1.05, 0.02, n, 2), uts = around(1.3, 0.02, n, 4);
  fixture.rows("ladder/container/noop/spawn", spawn);
  fixture.rows("ladder/container/noop/alone_ipc", ipc);
  fixture.rows("ladder/container/noop/alone_uts", uts);
  auto steps = ladder_steps(fixture.model(), no_fallback());
  const LadderStep& step = step_named(steps, "alone_uts");
  EXPECT_EQ(step.method, "unpaired");
  EXPECT_EQ(step.baseline, "spawn");  // by convention, not the cheaper alone_ipc
  EXPECT_NEAR(step.cost_s.point, (stats::median(uts) - stats::median(spawn)) * 1e-3, 1e-12);
}

TEST(LadderSteps, TheCumulativeChainEndsAtTheTopStepAndSharesAreOfItsTotal) {
  const int n = 11;
  Fixture fixture;
  fixture.backend("container", "container");
  auto spawn = around(1.0, 0.01, n), one = around(1.5, 0.01, n, 1), two = around(3.0, 0.01, n, 2);
  fixture.rows("ladder/container/noop/spawn", spawn, {{"ready_s", seconds(spawn)}});
  fixture.rows("ladder/container/noop/alone_user", around(6.0, 0.01, n), {{"step_s", seconds(around(5.0, 0.01, n))}});
  fixture.rows("ladder/container/noop/cumulative_1_mnt", one, {{"ready_s", seconds(one)}, {"step_s", seconds(around(0.5, 0.01, n))}});
  fixture.rows("ladder/container/noop/cumulative_2_uts", two, {{"ready_s", seconds(two)}, {"step_s", seconds(around(1.5, 0.01, n))}});
  auto steps = ladder_steps(fixture.model(), no_fallback());
  EXPECT_TRUE(step_named(steps, "cumulative_2_uts").top);
  EXPECT_TRUE(step_named(steps, "cumulative_1_mnt").on_top_chain);
  EXPECT_TRUE(step_named(steps, "spawn").on_top_chain);
  EXPECT_FALSE(step_named(steps, "alone_user").on_top_chain);
  EXPECT_EQ(step_named(steps, "cumulative_2_uts").baseline, "cumulative_1_mnt");
  ASSERT_TRUE(step_named(steps, "cumulative_2_uts").share);
  EXPECT_NEAR(*step_named(steps, "cumulative_2_uts").share, 0.5, 0.02);
}

TEST(LadderSteps, AGuestsStepsArePhasesOfOneLife) {
  const int n = 5;
  Fixture fixture;
  fixture.backend("vm", "vm", true, true);
  fixture.rows("ladder/vm/vmm_up", around(900, 0.01, n), {{"ready_s", seconds(around(900, 0.01, n))}, {"step_s", seconds(around(900, 0.01, n))}});
  fixture.rows("ladder/vm/workload_ready", around(3000, 0.01, n),
               {{"ready_s", seconds(around(3000, 0.01, n))}, {"step_s", seconds(around(2100, 0.01, n))}});
  auto steps = ladder_steps(fixture.model(), no_fallback());
  EXPECT_EQ(step_named(steps, "workload_ready").baseline, "vmm_up");
  EXPECT_EQ(step_named(steps, "workload_ready").method, "paired");
  EXPECT_NEAR(step_named(steps, "workload_ready").cost_s.point, 2.1, 1e-9);
  EXPECT_EQ(step_named(steps, "vmm_up").method, "floor");
}

}  // namespace
}  // namespace isobench::results
