// Results: the atomic writer, the manifest, and the ratios derived within one run.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "harness/derived.hpp"
#include "harness/manifest.hpp"
#include "harness/results_file.hpp"
#include "common/tests/temp_dir.hpp"

using namespace isobench;

namespace {

using isobench::testing::TempDir;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

nlohmann::json iteration(const std::string& name, double ms, bool error = false) {
  nlohmann::json row = {{"name", name}, {"run_name", name}, {"run_type", "iteration"},
                        {"real_time", ms},  {"time_unit", "ms"}};
  if (error) row["error_occurred"] = true;
  return row;
}

nlohmann::json median_row(const std::string& name) {
  return {{"name", name + "_median"}, {"run_name", name}, {"run_type", "aggregate"}, {"aggregate_name", "median"}};
}

}  // namespace

TEST(AtomicWrite, ReplacesTheFileAndLeavesNoTemporary) {
  TempDir dir("isobench-test-");
  auto target = dir.path() / "results.json";
  ASSERT_TRUE(write_file_atomically(target, "old"));
  ASSERT_TRUE(write_file_atomically(target, "{\"new\": true}\n"));
  EXPECT_EQ(slurp(target), "{\"new\": true}\n");
  int files = 0;
  for (auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(AtomicWrite, FailureKeepsThePreviousFileIntact) {
  TempDir dir("isobench-test-");
  auto target = dir.path() / "results.json";
  ASSERT_TRUE(write_file_atomically(target, "previous"));
  // A directory in the way makes the rename fail after the data was written.
  auto blocked = dir.path() / "blocked";
  std::filesystem::create_directories(blocked / "child");
  auto result = write_file_atomically(blocked, "data");
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().describe().find("rename"), std::string::npos);
  EXPECT_EQ(slurp(target), "previous");
  for (auto& entry : std::filesystem::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename().string().find(".isobench-tmp"), std::string::npos);
}

TEST(OutputDir, CreatesParentsAndRejectsAFile) {
  TempDir dir("isobench-test-");
  EXPECT_TRUE(prepare_output_dir(dir.path() / "a" / "b"));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() / "a" / "b"));
  std::ofstream(dir.path() / "file") << "x";
  EXPECT_FALSE(prepare_output_dir(dir.path() / "file"));
}

TEST(DefaultResultsDir, IsStampedWithUtcTimeAndHost) {
  auto dir = default_results_dir().string();
  EXPECT_EQ(dir.rfind("results/", 0), 0u);
  EXPECT_EQ(dir[8 + 8], 'T');  // results/YYYYMMDDTHHMMSSZ-host
  EXPECT_EQ(dir[8 + 15], 'Z');
}

TEST(Manifest, CarriesTheFactsSpecMdNames) {
  BackendConfig config;
  config.workload_binary = "/nonexistent/isobench-workload";
  config.state_dir = "/nonexistent/isobench-state";
  BackendSet backends(config);
  auto manifest = environment_manifest(backends);
  for (const char* key : {"host_kernel", "cpu_model", "host_virtualized", "cpu_governor", "smt",
                          "transparent_hugepages", "ksm", "cgroup_mode", "compiler", "git_revision", "backends"})
    EXPECT_TRUE(manifest.contains(key)) << key;
  EXPECT_FALSE(manifest["host_kernel"].get<std::string>().empty());
  // A backend that cannot run says why.
  EXPECT_FALSE(manifest["backends"]["bare"]["available"].get<bool>());
  EXPECT_NE(manifest["backends"]["bare"]["reason"].get<std::string>().find("/nonexistent"), std::string::npos);
}

TEST(Manifest, HostFactsMatchTheKernel) {
  HostFacts facts = read_host_facts();
  EXPECT_GT(facts.cpu_count, 0u);
  EXPECT_GT(facts.memory_bytes, 0u);
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string text((std::istreambuf_iterator<char>(cpuinfo)), std::istreambuf_iterator<char>());
  EXPECT_EQ(facts.virtualized, text.find(" hypervisor") != std::string::npos);
}

TEST(DerivedRatios, RatioToBareAndToFloorFromMediansOfSuccessfulIterations) {
  nlohmann::json results = {{"benchmarks", nlohmann::json::array()}};
  auto& rows = results["benchmarks"];
  for (double ms : {1.0, 2.0, 3.0}) rows.push_back(iteration("startup/bare/noop", ms));
  for (double ms : {1.0, 1.0, 9.0}) rows.push_back(iteration("startup/bare/noop/floor", ms));
  for (double ms : {4.0, 6.0, 8.0}) rows.push_back(iteration("startup/container/noop", ms));
  rows.push_back(iteration("startup/container/noop", 1000.0, /*error=*/true));
  rows.push_back(median_row("startup/bare/noop"));
  rows.push_back(median_row("startup/container/noop"));
  rows.push_back(median_row("startup/vm/noop"));  // no samples: no ratio
  add_derived_ratios(results);
  EXPECT_DOUBLE_EQ(rows[10]["ratio_to_floor"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(rows[11]["ratio_to_bare"].get<double>(), 3.0);
  EXPECT_FALSE(rows[12].contains("ratio_to_bare"));
}
