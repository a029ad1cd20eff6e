// Google Benchmark's JSON with non-finite figures still parses, and nothing else changes.
#include <gtest/gtest.h>

#include "harness/benchmark_json.hpp"

using namespace isobench;

TEST(BenchmarkJson, NonFiniteFiguresBecomeNullAndStringsAreUntouched) {
  // What Google Benchmark 1.7 wrote for image/bare/minimal_cv (all repetitions 0 s).
  std::string text = R"({"benchmarks": [{"name": "image/bare/minimal_cv", "real_time": -nan, "cpu_time": 4.7e-03,
    "a": NaN, "b": inf, "c": -Infinity, "label": "nan inf -nan \"NaN\" info", "infinity_count": 3}]})";
  auto parsed = parse_benchmark_json(text);
  ASSERT_TRUE(parsed) << parsed.error().describe();
  const auto& row = (*parsed)["benchmarks"][0];
  EXPECT_TRUE(row["real_time"].is_null());
  EXPECT_TRUE(row["a"].is_null());
  EXPECT_TRUE(row["b"].is_null());
  EXPECT_TRUE(row["c"].is_null());
  EXPECT_DOUBLE_EQ(row["cpu_time"].get<double>(), 4.7e-03);
  EXPECT_EQ(row["label"], "nan inf -nan \"NaN\" info");
  EXPECT_EQ(row["infinity_count"], 3);
}

TEST(BenchmarkJson, OutputThatIsNotJsonIsAnErrorNotAnException) {
  auto parsed = parse_benchmark_json(R"({"benchmarks": [ {"real_time": nanx} ]})");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().describe().find("does not parse"), std::string::npos);
}
