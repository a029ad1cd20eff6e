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
