// What libvirt adds over direct QEMU, as the ratios derived within one run.
#include <gtest/gtest.h>

#include "harness/derived.hpp"

using namespace isobench;

namespace {

nlohmann::json iteration(const std::string& name, double ms, double ready_s) {
  return {{"name", name}, {"run_name", name}, {"run_type", "iteration"}, {"real_time", ms}, {"time_unit", "ms"},
          {"ready_s", ready_s}};
}

nlohmann::json median_row(const std::string& name) {
  return {{"name", name + "_median"}, {"run_name", name}, {"run_type", "aggregate"}, {"aggregate_name", "median"}};
}

}  // namespace

TEST(DerivedRatios, LibvirtAgainstDirectQemuOnTheWholeLifeAndOnReadiness) {
  nlohmann::json results = {{"benchmarks", nlohmann::json::array()}};
  auto& rows = results["benchmarks"];
  for (double s : {5.0, 6.0, 7.0}) rows.push_back(iteration("startup/vm/noop", s * 1000, s - 1));
  for (double s : {2.0, 3.0, 4.0}) rows.push_back(iteration("startup/qemu/noop", s * 1000, s / 2));
  rows.push_back(median_row("startup/vm/noop"));
  rows.push_back(median_row("startup/qemu/noop"));
  add_derived_ratios(results);
  EXPECT_DOUBLE_EQ(rows[6]["ratio_to_qemu"].get<double>(), 2.0);           // 6 s / 3 s
  EXPECT_DOUBLE_EQ(rows[6]["ratio_to_qemu_ready_s"].get<double>(), 5.0 / 1.5);
  EXPECT_FALSE(rows[7].contains("ratio_to_qemu"));
}

// Where docker's start goes besides the runc it drives: its startup row over runc's own,
// same workload, same run, and the seconds between the two medians.
TEST(DerivedRatios, AnEngineAgainstTheRuntimeItNamesOnItsRows) {
  nlohmann::json results = {{"benchmarks", nlohmann::json::array()}};
  auto& rows = results["benchmarks"];
  for (double ms : {300.0, 400.0, 500.0}) {
    auto row = iteration("startup/docker/noop", ms, ms / 2000);
    row["attributes"] = {{"runtime", "runc"}};
    rows.push_back(row);
  }
  for (double ms : {20.0, 25.0, 30.0}) rows.push_back(iteration("startup/runc/noop", ms, ms / 2000));
  rows.push_back(median_row("startup/docker/noop"));
  rows.push_back(median_row("startup/runc/noop"));
  add_derived_ratios(results);
  EXPECT_DOUBLE_EQ(rows[6]["ratio_to_runtime"].get<double>(), 16.0);  // 400 ms / 25 ms
  EXPECT_NEAR(rows[6]["engine_over_runtime_s"].get<double>(), 0.375, 1e-12);
  EXPECT_FALSE(rows[7].contains("ratio_to_runtime"));
}
