#include "common/cgroup_mode.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace isobench;

TEST(CgroupMode, ThisHostHasARecognisedMode) {
  // Every machine isobench supports mounts some cgroup hierarchy.
  EXPECT_NE(detect_cgroup_mode(), CgroupMode::kNone);
}

TEST(CgroupMode, APlainDirectoryIsNotACgroupMount) {
  EXPECT_EQ(detect_cgroup_mode(std::filesystem::temp_directory_path() / "no-such-isobench-dir"), CgroupMode::kNone);
}

TEST(CgroupMode, NamesAreTheOnesTheManifestUses) {
  EXPECT_EQ(to_string(CgroupMode::kUnified), "v2");
  EXPECT_EQ(to_string(CgroupMode::kHybrid), "hybrid");
  EXPECT_EQ(to_string(CgroupMode::kLegacy), "v1");
}
