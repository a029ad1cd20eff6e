// The cgroup logic on a fake tree: plain directories and files stand in for cgroupfs.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>

#include "container/cgroup.hpp"
#include "container/cgroup_files.hpp"
#include "container/namespaces.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void put(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

// Deletes the files a fake cgroup holds, which the kernel would drop with the directory.
void empty_fake_dir(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) fs::remove(entry.path());
}

class FakeTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/isobench-fake-cgroup-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    root_ = dir;
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

Limits all_limits() {
  Limits limits;
  limits.memory_bytes = 64 << 20;
  limits.cpus = 1.5;
  limits.pids = 32;
  return limits;
}

}  // namespace

TEST_F(FakeTree, V1WritesEachLimitInItsControllerHierarchy) {
  for (const char* controller : {"memory", "pids", "cpu"}) fs::create_directory(root_ / controller);
  auto cgroup = create_cgroup({CgroupVersion::kV1, root_, false}, "isobench-test", all_limits());
  ASSERT_TRUE(cgroup) << cgroup.error().describe();
  EXPECT_EQ(slurp(root_ / "memory/isobench-test/memory.limit_in_bytes"), "67108864");
  EXPECT_EQ(slurp(root_ / "pids/isobench-test/pids.max"), "32");
  EXPECT_EQ(slurp(root_ / "cpu/isobench-test/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(slurp(root_ / "cpu/isobench-test/cpu.cfs_quota_us"), "150000");
  EXPECT_EQ((*cgroup)->procs_fds().size(), 3u);
  EXPECT_EQ((*cgroup)->directory_fd(), -1);

  put(root_ / "memory/isobench-test/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
  auto kills = (*cgroup)->oom_kills();
  ASSERT_TRUE(kills);
  EXPECT_EQ(*kills, 2u);

  for (const auto& dir : (*cgroup)->directories()) empty_fake_dir(dir);
  ASSERT_TRUE((*cgroup)->remove());
  for (const char* controller : {"memory", "pids", "cpu"}) EXPECT_FALSE(fs::exists(root_ / controller / "isobench-test"));
  EXPECT_TRUE((*cgroup)->remove()) << "remove is idempotent";
}

TEST_F(FakeTree, V1MissingControllerNamesThePathAndRemovesWhatWasMade) {
  fs::create_directory(root_ / "memory");  // no pids, no cpu hierarchy
  auto cgroup = create_cgroup({CgroupVersion::kV1, root_, false}, "isobench-test", {});
  ASSERT_FALSE(cgroup);
  EXPECT_NE(cgroup.error().describe().find(root_ / "pids/isobench-test"), std::string::npos)
      << cgroup.error().describe();
  EXPECT_EQ(cgroup.error().errno_value, ENOENT);
  EXPECT_FALSE(fs::exists(root_ / "memory/isobench-test"));
}

TEST_F(FakeTree, V2EnablesControllersInTheParentThenWritesLimits) {
  put(root_ / "cgroup.controllers", "cpuset cpu io memory pids\n");
  put(root_ / "cgroup.subtree_control", "cpu\n");
  auto cgroup = create_cgroup({CgroupVersion::kV2, root_, true}, "isobench-test", all_limits());
  ASSERT_TRUE(cgroup) << cgroup.error().describe();
  EXPECT_EQ(slurp(root_ / "cgroup.subtree_control"), "+memory +pids");  // cpu was already on
  EXPECT_EQ(slurp(root_ / "isobench-test/memory.max"), "67108864");
  EXPECT_EQ(slurp(root_ / "isobench-test/pids.max"), "32");
  EXPECT_EQ(slurp(root_ / "isobench-test/cpu.max"), "150000 100000");
  EXPECT_GE((*cgroup)->directory_fd(), 0) << "CLONE_INTO_CGROUP needs the directory fd";
  EXPECT_TRUE((*cgroup)->procs_fds().empty());

  put(root_ / "isobench-test/memory.events", "low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n");
  auto kills = (*cgroup)->oom_kills();
  ASSERT_TRUE(kills);
  EXPECT_EQ(*kills, 1u);
  empty_fake_dir(root_ / "isobench-test");
  ASSERT_TRUE((*cgroup)->remove());
  EXPECT_FALSE(fs::exists(root_ / "isobench-test"));
}

TEST_F(FakeTree, V2AttachJoinsThroughCgroupProcs) {
  auto cgroup = create_cgroup({CgroupVersion::kV2, root_, false}, "isobench-test", {});
  ASSERT_TRUE(cgroup) << cgroup.error().describe();
  EXPECT_EQ((*cgroup)->directory_fd(), -1);
  EXPECT_EQ((*cgroup)->procs_fds().size(), 1u);
  empty_fake_dir(root_ / "isobench-test");
  EXPECT_TRUE((*cgroup)->remove());
}

TEST_F(FakeTree, V2ControllerBoundToV1IsReportedWithTheFile) {
  put(root_ / "cgroup.controllers", "hugetlb\n");  // a hybrid host's cgroup2
  put(root_ / "cgroup.subtree_control", "");
  Limits limits;
  limits.memory_bytes = 1 << 20;
  auto cgroup = create_cgroup({CgroupVersion::kV2, root_, true}, "isobench-test", limits);
  ASSERT_FALSE(cgroup);
  EXPECT_NE(cgroup.error().describe().find("`memory`"), std::string::npos) << cgroup.error().describe();
  EXPECT_NE(cgroup.error().describe().find("cgroup.controllers"), std::string::npos);
  EXPECT_FALSE(fs::exists(root_ / "isobench-test"));
}

TEST_F(FakeTree, NoHierarchyWithLimitsIsAnError) {
  Limits limits;
  limits.pids = 4;
  EXPECT_FALSE(create_cgroup({CgroupVersion::kNone, root_, false}, "isobench-test", limits));
  auto none = create_cgroup({CgroupVersion::kNone, root_, false}, "isobench-test", {});
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, nullptr);
}

TEST(CgroupFiles, KeyedValueFindsWholeKeysOnly) {
  std::string text = "oom 3\noom_kill 5\n";
  EXPECT_EQ(cgroup_files::keyed_value(text, "oom"), 3u);
  EXPECT_EQ(cgroup_files::keyed_value(text, "oom_kill"), 5u);
  EXPECT_FALSE(cgroup_files::keyed_value(text, "oom_group_kill"));
}

TEST(CgroupPlacement, FollowsTheHostMode) {
  CgroupPlacement placement = host_cgroup_placement("/nonexistent-isobench");
  EXPECT_EQ(placement.version, CgroupVersion::kNone);
}

TEST(Namespaces, TableNamesAndFlags) {
  EXPECT_EQ(describe_namespaces(CLONE_NEWNS | CLONE_NEWNET), "mnt,net");
  EXPECT_EQ(describe_namespaces(0), "none");
  EXPECT_EQ(namespace_flag("network"), CLONE_NEWNET);
  EXPECT_EQ(namespace_flag("net"), CLONE_NEWNET);
  EXPECT_FALSE(namespace_flag("time"));
}
