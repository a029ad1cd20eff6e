// The cgroup v2 code path on the real kernel, on any host: this test process moves into
// a private mount namespace and mounts cgroup2 there (on a hybrid host that is the
// unified hierarchy, without controllers; on a v2 host the whole tree). The mount goes
// away with the process.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

using namespace isobench;
using namespace isobench::testing;
namespace fs = std::filesystem;

namespace {

class CgroupV2Mount : public ::testing::Test {
 protected:
  void SetUp() override {
    ISOBENCH_REQUIRE_ROOT();
    ASSERT_EQ(::unshare(CLONE_NEWNS), 0) << std::strerror(errno);
    ASSERT_EQ(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
    char dir[] = "/tmp/isobench-cgroup2-test-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    mount_point_ = dir;
    ASSERT_EQ(::mount("cgroup2", dir, "cgroup2", 0, nullptr), 0) << std::strerror(errno);
    mounted_ = true;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
    if (!mount_point_.empty()) ::rmdir(mount_point_.c_str());
  }

  std::optional<ContainerRun> run_identity(bool clone_into, std::vector<fs::path>* seen_dirs = nullptr) {
    ContainerSpec spec = default_container_spec(RootfsMode::kPivotRoot);
    spec.cgroup = {CgroupVersion::kV2, mount_point_, clone_into};
    LaunchOptions options;
    options.workload = {"identity", {}};
    auto instance = launch_container(spec, image_, options);
    if (!instance) {
      ADD_FAILURE() << instance.error().describe();
      return std::nullopt;
    }
    if (seen_dirs)
      for (const auto& entry : fs::directory_iterator(mount_point_))
        if (entry.path().filename().string().starts_with("isobench-container-")) seen_dirs->push_back(entry.path());
    ContainerRun run;
    EXPECT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(10))));
    auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(10)));
    if (!outcome) {
      ADD_FAILURE() << outcome.error().describe();
      return std::nullopt;
    }
    run.outcome = *outcome;
    run.attributes = (*instance)->attributes();
    EXPECT_TRUE((*instance)->teardown());
    return run;
  }

  StateDir state_;
  ContainerImage image_ = test_image(state_.path());
  fs::path mount_point_;
  bool mounted_ = false;
};

bool has_line(const nlohmann::json& lines, const std::string& wanted) {
  for (const auto& line : lines)
    if (line == wanted) return true;
  return false;
}

}  // namespace

TEST_F(CgroupV2Mount, CloneIntoCgroupPutsPid1InItsOwnCgroupNamespaceRoot) {
  std::vector<fs::path> dirs;
  auto run = run_identity(true, &dirs);
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->outcome.ok()) << run->outcome.failure;
  EXPECT_EQ(run->attributes["cgroup"], "v2+clone_into");
  ASSERT_EQ(dirs.size(), 1u) << "one isobench cgroup while the container runs";
  EXPECT_FALSE(fs::exists(dirs[0])) << "removed at teardown";
  auto data = nlohmann::json::parse(run->outcome.result_line)["data"];
  EXPECT_EQ(data["pid"], 1);
  // Born in the cgroup, with the cgroup namespace rooted there.
  EXPECT_TRUE(has_line(data["cgroup"], "0::/")) << data["cgroup"];
}

TEST_F(CgroupV2Mount, AttachAfterCloneAlsoRootsTheNamespaceAtTheCgroup) {
  std::vector<fs::path> dirs;
  auto run = run_identity(false, &dirs);
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->outcome.ok()) << run->outcome.failure;
  EXPECT_EQ(run->attributes["cgroup"], "v2+attach");
  ASSERT_EQ(dirs.size(), 1u);
  EXPECT_FALSE(fs::exists(dirs[0]));
  auto data = nlohmann::json::parse(run->outcome.result_line)["data"];
  EXPECT_TRUE(has_line(data["cgroup"], "0::/")) << data["cgroup"];
}

TEST_F(CgroupV2Mount, LimitsOnControllersTheHierarchyLacksFailWithTheReason) {
  std::ifstream controllers(mount_point_ / "cgroup.controllers");
  std::string available((std::istreambuf_iterator<char>(controllers)), std::istreambuf_iterator<char>());
  if (available.find("pids") != std::string::npos) GTEST_SKIP() << "pids is available in cgroup2 here";
  ContainerSpec spec = default_container_spec(RootfsMode::kPivotRoot);
  spec.cgroup = {CgroupVersion::kV2, mount_point_, true};
  LaunchOptions options;
  options.workload = {"noop", {}};
  options.limits.pids = 4;
  auto instance = launch_container(spec, image_, options);
  ASSERT_FALSE(instance);
  EXPECT_NE(instance.error().describe().find("controller `pids` is not available"), std::string::npos)
      << instance.error().describe();
}
