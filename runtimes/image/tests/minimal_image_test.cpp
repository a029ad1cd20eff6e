#include "image/minimal_image.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

using namespace isobench;
namespace fs = std::filesystem;

namespace {

class ImageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/isobench-image-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    state_dir_ = dir;
    config_.workload_binary = ISOBENCH_WORKLOAD_BINARY;
    config_.state_dir = state_dir_;
  }
  void TearDown() override { fs::remove_all(state_dir_); }

  fs::path state_dir_;
  BackendConfig config_;
};

}  // namespace

TEST_F(ImageTest, BuildsOnceThenReusesTheCache) {
  auto first = ensure_minimal_image(config_);
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_TRUE(first->built_now);
  EXPECT_GT(first->build_s, 0);
  EXPECT_EQ(::access((first->rootfs / "isobench-workload").c_str(), X_OK), 0);
  for (const char* dir : {"proc", "dev", "tmp", "sys"}) EXPECT_TRUE(fs::is_directory(first->rootfs / dir)) << dir;

  auto second = ensure_minimal_image(config_);
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->built_now);
  EXPECT_EQ(second->build_s, 0);
  EXPECT_EQ(second->rootfs, first->rootfs);
}

TEST_F(ImageTest, ImageHoldsTheWorkloadBytesAndLittleElse) {
  auto image = ensure_minimal_image(config_);
  ASSERT_TRUE(image);
  auto bytes = tree_bytes(image->rootfs);
  ASSERT_TRUE(bytes);
  auto binary = fs::file_size(config_.workload_binary);
  EXPECT_GE(*bytes, binary);
  EXPECT_LT(*bytes, binary + 4096);
}

TEST_F(ImageTest, MissingImageIsRebuilt) {
  auto image = ensure_minimal_image(config_);
  ASSERT_TRUE(image);
  fs::remove_all(image->rootfs);
  auto again = ensure_minimal_image(config_);
  ASSERT_TRUE(again) << again.error().describe();
  EXPECT_TRUE(again->built_now);
  EXPECT_EQ(::access((again->rootfs / "isobench-workload").c_str(), X_OK), 0);
}

TEST_F(ImageTest, ChangedBinaryTriggersARebuild) {
  fs::path copy = state_dir_ / "workload-copy";
  fs::copy_file(config_.workload_binary, copy);
  config_.workload_binary = copy;
  ASSERT_TRUE(ensure_minimal_image(config_));
  std::ofstream(copy, std::ios::app) << "x";  // a different size: a different binary
  auto again = ensure_minimal_image(config_);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->built_now);
  EXPECT_EQ(fs::file_size(again->rootfs / "isobench-workload"), fs::file_size(copy));
}

TEST_F(ImageTest, MissingBinaryNamesThePath) {
  config_.workload_binary = state_dir_ / "no-such-workload";
  auto image = ensure_minimal_image(config_);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().describe().find("no-such-workload"), std::string::npos) << image.error().describe();
  EXPECT_EQ(image.error().errno_value, ENOENT);
}
