#include "bench/compare/testbed.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bench/results/metric.hpp"
#include "compare_test_util.hpp"

namespace isobench::compare {
namespace {

TEST(CompareTestbed, FingerprintIsMadeOfTheManifestsFacts) {
  auto testbed = testbed_of(testing::manifest_context());
  ASSERT_TRUE(testbed) << testbed.error().describe();
  EXPECT_EQ(fingerprint(*testbed), "test-cpu-9000_4cpu_6.1.0-18-amd64_v2_kvm");
  EXPECT_EQ(describe(*testbed), "Test CPU 9000, 4 CPUs, kernel 6.1.0-18-amd64, cgroup v2, accelerator kvm");
}

TEST(CompareTestbed, TheRealFixtureHasAFingerprint) {
  auto context = nlohmann::json::parse(testing::fixture_text())["context"];
  auto testbed = testbed_of(context);
  ASSERT_TRUE(testbed) << testbed.error().describe();
  EXPECT_EQ(testbed->cpu_count, context["cpu_count"].get<long long>());
  EXPECT_EQ(fingerprint(*testbed).find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-_"), std::string::npos);
}

TEST(CompareTestbed, AcceleratorIsNoneWithoutAGuestBackendAndAnyChangeMakesANewTestbed) {
  nlohmann::json context = testing::manifest_context();
  context.erase("backends");
  auto without = testbed_of(context);
  ASSERT_TRUE(without);
  EXPECT_EQ(without->accelerator, "none");
  context["host_kernel"] = "6.1.0-19-amd64";
  EXPECT_NE(fingerprint(*testbed_of(context)), fingerprint(*without));
}

TEST(CompareTestbed, TheAcceleratorIsTheGuestBootingBackendsAsItsTraitsSay) {
  nlohmann::json context = testing::manifest_context();
  context["backends"] = {
      {"kvm", {{"accel", "kvm"}, {"traits", {{"family", "microvm"}, {"boots_guest_os", false}}}}},
      {"lab-guest", {{"accel", "tcg"}, {"traits", {{"family", "vm"}, {"boots_guest_os", true}}}}}};
  auto testbed = testbed_of(context);
  ASSERT_TRUE(testbed) << testbed.error().describe();
  EXPECT_EQ(testbed->accelerator, "tcg");
}

TEST(CompareTestbed, APlainGoogleBenchmarkContextHasNone) {
  auto testbed = testbed_of({{"num_cpus", 8}, {"mhz_per_cpu", 3000}});
  ASSERT_FALSE(testbed);
  EXPECT_NE(testbed.error().describe().find("cpu_model"), std::string::npos);
  EXPECT_NE(testbed.error().describe().find("host_kernel"), std::string::npos);
}

TEST(CompareTestbed, FindsTheBaselineForThisTestbedOrSaysHowToRecordOne) {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("isobench-baselines-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto testbed = *testbed_of(testing::manifest_context());
  auto none = find_baseline(dir, testbed);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().describe().find("test-cpu-9000_4cpu_6.1.0-18-amd64_v2_kvm.json"), std::string::npos);
  { std::ofstream(dir / (fingerprint(testbed) + ".json")) << "{}"; }
  auto found = find_baseline(dir, testbed);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->filename(), fingerprint(testbed) + ".json");
  std::filesystem::remove_all(dir);
}

TEST(CompareMetric, DirectionComesFromTheUnitInTheName) {
  EXPECT_EQ(direction_of("real_time"), Direction::kLowerIsBetter);
  EXPECT_EQ(direction_of("ready_s"), Direction::kLowerIsBetter);
  EXPECT_EQ(direction_of("pss_bytes"), Direction::kLowerIsBetter);
  EXPECT_EQ(direction_of("ns_per_op"), Direction::kLowerIsBetter);
  EXPECT_EQ(direction_of("widgets_per_op"), std::nullopt);
  EXPECT_EQ(direction_of("bytes_per_s"), Direction::kHigherIsBetter);
  EXPECT_EQ(direction_of("ops_per_s"), Direction::kHigherIsBetter);
  EXPECT_EQ(direction_of("items_per_second"), Direction::kHigherIsBetter);
  EXPECT_EQ(direction_of("ratio_to_bare"), std::nullopt);
}

TEST(CompareMetric, ValuesPrintInTheirUnits) {
  EXPECT_EQ(format_value("real_time", 0.0107), "10.7 ms");
  EXPECT_EQ(format_value("teardown_s", 1.2e-6), "1.20 us");
  EXPECT_EQ(format_value("ready_s", 2.5), "2.50 s");
  EXPECT_EQ(format_value("pss_bytes", 3 * 1048576.0), "3.00 MiB");
  EXPECT_EQ(format_value("bytes_per_s", 1.5e9), "1.50 G/s");
}

}  // namespace
}  // namespace isobench::compare
