#include <gtest/gtest.h>

#include "bench/results/model.hpp"
#include "fixture.hpp"

namespace isobench::results {
namespace {

using testing::Fixture;

TEST(ResultsModel, SplitsNamesAndKeepsEachRepetitionsRound) {
  Fixture fixture;
  fixture.rows("ladder/container/noop/alone_uts", {1.0, 2.0, 3.0}, {{"step_s", {1e-4, 2e-4, 3e-4}}});
  ResultsFile file = fixture.model();
  const BenchmarkSamples* bench = file.measured("ladder/container/noop/alone_uts");
  ASSERT_NE(bench, nullptr);
  EXPECT_EQ(bench->suite, "ladder");
  EXPECT_EQ(bench->backend, "container");
  EXPECT_EQ(bench->workload, "noop");
  EXPECT_EQ(bench->arg, "alone_uts");
  EXPECT_EQ(bench->repetition_index, (std::vector<int>{0, 1, 2}));
  ASSERT_EQ(bench->values("real_time").size(), 3u);
  EXPECT_DOUBLE_EQ(bench->values("real_time")[1], 2e-3);  // milliseconds read as seconds
  EXPECT_TRUE(bench->values("no_such_counter").empty());
}

TEST(ResultsModel, AttributeValuesKeepTheirSpaces) {
  Fixture fixture;
  fixture.rows("net/container/rr", {1.0}, {}, {{"network", "joined netns"}, {"emulated", false}});
  ResultsFile file = fixture.model();
  const BenchmarkSamples* bench = file.find("net/container/rr");
  ASSERT_NE(bench, nullptr);
  EXPECT_EQ(bench->attribute("network"), "joined netns");
  EXPECT_TRUE(bench->attributes["emulated"].is_boolean());
}

TEST(ResultsModel, LabelsOfOlderFilesAndJsonLabelsBothGiveAttributes) {
  EXPECT_EQ(attributes_from_label("accel=tcg rootfs=pivot_root")["accel"], "tcg");
  EXPECT_EQ(attributes_from_label("{\"network\":\"joined netns\"}")["network"], "joined netns");
  EXPECT_TRUE(attributes_from_label("free text without pairs").empty());
}

TEST(ResultsModel, ReadsTheClaimsSectionBack) {
  Fixture fixture;
  fixture.rows("startup/bare/noop", {1.0});
  nlohmann::json document = fixture.json();
  document["claims"] = {{"version", 1}, {"rows", nlohmann::json::array()}};
  auto file = from_json(document, "x.json");
  ASSERT_TRUE(file) << file.error().describe();
  EXPECT_EQ(file->claims["version"], 1);
}

TEST(ResultsModel, AttributesThatAreNotAnObjectAreAnInputError) {
  Fixture fixture;
  fixture.rows("startup/bare/noop", {1.0});
  nlohmann::json document = fixture.json();
  document["benchmarks"][0]["attributes"] = "accel=tcg";
  auto file = from_json(document, "x.json");
  ASSERT_FALSE(file);
  EXPECT_NE(file.error().describe().find("`attributes` is not an object"), std::string::npos);
}

}  // namespace
}  // namespace isobench::results
