// The host's side of container isolation, checked while a container runs (root): its
// mounts (pivot_root, /proc, /tmp) never appear in the host's mount table, and from inside it
// sees none of the host's processes or mounts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>

#include "container/container_backend.hpp"
#include "test_support.hpp"

using namespace isobench;
using namespace isobench::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Field 5 of a mountinfo line: the mount point.
std::string mount_point(const std::string& line) {
  std::size_t start = 0;
  for (int field = 0; field < 4; ++field) start = line.find(' ', start) + 1;
  return line.substr(start, line.find(' ', start) - start);
}

}  // namespace

TEST(ContainerHostIsolation, MountsStayInsideAndTheHostStaysInvisible) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  ContainerImage image = test_image(state.path());
  // Only mounts under the image can be the container's: other tests on the host may mount
  // and unmount things meanwhile.
  auto host_mounts_of_image = [&] {
    std::vector<std::string> found;
    for (const auto& line : lines_of("/proc/self/mountinfo"))
      if (line.find(image.rootfs.string()) != std::string::npos) found.push_back(line);
    return found;
  };
  ASSERT_TRUE(host_mounts_of_image().empty());

  LaunchOptions options;
  options.workload = {"idle", {"30"}};
  auto instance = launch_container(default_container_spec(RootfsMode::kPivotRoot), image, options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(10))));
  auto pids = (*instance)->host_pids();
  ASSERT_FALSE(pids.empty());
  const std::string proc = "/proc/" + std::to_string(pids.front());

  // No mount made for the container (its root, its /proc, its /tmp) propagated to the host.
  EXPECT_EQ(host_mounts_of_image(), std::vector<std::string>{});

  // Inside: the image root, its own /proc and its writable /tmp (a tmpfs), none of the
  // host's mounts.
  std::vector<std::string> inside = lines_of(proc + "/mountinfo");
  EXPECT_FALSE(inside.empty());
  EXPECT_LE(inside.size(), 5u) << "more mounts than the root, /proc, /dev and /tmp";
  for (const auto& line : inside) {
    std::string point = mount_point(line);
    EXPECT_TRUE(point == "/" || point == "/tmp" || point.starts_with("/proc") || point.starts_with("/dev")) << line;
  }

  // Inside: its /proc (reached through its root) lists one process, its own PID 1.
  std::vector<std::string> pid_dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(proc + "/root/proc", ec)) {
    std::string name = entry.path().filename();
    if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) { return std::isdigit(c); }))
      pid_dirs.push_back(name);
  }
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(pid_dirs, std::vector<std::string>{"1"});

  ASSERT_TRUE((*instance)->teardown());
  EXPECT_EQ(host_mounts_of_image(), std::vector<std::string>{});
}
