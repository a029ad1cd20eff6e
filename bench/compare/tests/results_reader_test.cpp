#include "bench/results/model.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "compare_test_util.hpp"

namespace isobench::compare {
namespace {

using testing::fixture_text;

TEST(CompareReader, ReadsTheRealFixture) {
  auto file = parse_results(fixture_text(), "fixture.json");
  ASSERT_TRUE(file) << file.error().describe();
  const BenchmarkSamples* noop = file->find("startup/bare/noop");
  ASSERT_NE(noop, nullptr);
  EXPECT_EQ(noop->repetitions(), 20u);
  EXPECT_EQ(noop->failed, 0u);
  // real_time is converted from the rows' milliseconds to seconds.
  double first = noop->metrics.at("real_time").front();
  EXPECT_GT(first, 1e-5);
  EXPECT_LT(first, 10);
  EXPECT_EQ(noop->metrics.at("ready_s").size(), 20u);
  EXPECT_NE(file->find("startup/bare/noop/floor"), nullptr);
  EXPECT_EQ(file->find("startup/bare/nothing"), nullptr);
  EXPECT_TRUE(file->context.contains("cpu_model"));
}

struct BadInput {
  const char* label;
  std::string text;
  const char* expected;
};

class CompareReaderRejects : public ::testing::TestWithParam<BadInput> {};

TEST_P(CompareReaderRejects, WithOneLineNamingTheFile) {
  auto file = parse_results(GetParam().text, "in.json");
  ASSERT_FALSE(file);
  std::string message = file.error().describe();
  EXPECT_NE(message.find("`in.json`"), std::string::npos) << message;
  EXPECT_NE(message.find(GetParam().expected), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

std::string row(const std::string& fields) {
  return R"({"context": {}, "benchmarks": [{"name": "a/bare/x", "run_type": "iteration", )" + fields + "}]}";
}

INSTANTIATE_TEST_SUITE_P(
    BadInputs, CompareReaderRejects,
    ::testing::Values(
        BadInput{"empty", "", "empty file"}, BadInput{"not_json", "results: fine", "not JSON"},
        BadInput{"truncated", fixture_text().substr(0, 5000), "not JSON"},
        BadInput{"binary", std::string("\x00\xff\xfe{", 4), "not JSON"},
        BadInput{"array", "[1, 2]", "top level is not a JSON object"},
        BadInput{"no_benchmarks", R"({"context": {}})", "no `benchmarks` array"},
        BadInput{"benchmarks_object", R"({"context": {}, "benchmarks": {}})", "`benchmarks` is not an array"},
        BadInput{"no_rows", R"({"context": {}, "benchmarks": []})", "no benchmark rows"},
        BadInput{"no_context", R"({"benchmarks": [{}]})", "no `context`"},
        BadInput{"row_not_object", R"({"context": {}, "benchmarks": [3]})", "benchmarks[0]: not an object"},
        BadInput{"no_name", R"({"context": {}, "benchmarks": [{"run_type": "iteration"}]})", "no `name`"},
        BadInput{"bad_run_type", R"({"context": {}, "benchmarks": [{"name": "x", "run_type": "x"}]})",
                 "unknown run_type"},
        BadInput{"time_string", row(R"("real_time": "fast", "time_unit": "ns")"), "`real_time` is not a number"},
        BadInput{"no_time", row(R"("time_unit": "ns")"), "no `real_time`"},
        BadInput{"bad_unit", row(R"("real_time": 1, "time_unit": "fortnight")"), "unknown time_unit"},
        BadInput{"negative", row(R"("real_time": -1, "time_unit": "ns")"), "negative real_time"},
        BadInput{"overflow", row(R"("real_time": 1e999, "time_unit": "ns")"), "number overflow"},
        BadInput{"error_flag", row(R"("error_occurred": "yes")"), "`error_occurred` is not true or false"},
        BadInput{"only_aggregates",
                 R"({"context": {}, "benchmarks": [{"name": "x_median", "run_type": "aggregate"}]})",
                 "no iteration rows"}),
    [](const ::testing::TestParamInfo<BadInput>& info) { return std::string(info.param.label); });

TEST(CompareReader, CountsFailedAndUnavailableRepetitions) {
  testing::SyntheticBenchmark vm{.name = "startup/vm/noop", .real_ms = {}, .error_message = "unavailable: no KVM",
                                 .failed_repetitions = 3};
  testing::SyntheticBenchmark crun{.name = "startup/crun/noop", .real_ms = {1, 2},
                                   .error_message = "crun: exit 1", .failed_repetitions = 1};
  ResultsFile file = testing::parsed(testing::results_json({vm, crun}));
  EXPECT_EQ(file.find("startup/vm/noop")->unavailable, 3u);
  EXPECT_EQ(file.find("startup/vm/noop")->repetitions(), 0u);
  EXPECT_EQ(file.find("startup/crun/noop")->failed, 1u);
  EXPECT_EQ(file.find("startup/crun/noop")->unavailable, 0u);
  EXPECT_EQ(file.find("startup/crun/noop")->error_message, "crun: exit 1");
}

TEST(CompareReader, ReadsAResultsFolderAndNamesAMissingFile) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("isobench-compare-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  { std::ofstream(dir / "results.json") << fixture_text(); }
  auto file = read_results(dir);
  EXPECT_TRUE(file) << file.error().describe();
  auto missing = read_results(dir / "nope.json");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().describe().find("No such file or directory"), std::string::npos);
  EXPECT_NE(missing.error().describe().find("nope.json"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace isobench::compare
