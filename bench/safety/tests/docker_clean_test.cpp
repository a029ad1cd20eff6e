// `bench clean` after a bench killed with SIGKILL mid-container: everything a container
// engine left for that run goes.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "run_bench.hpp"
#include "runtimes/common/proc_file.hpp"

namespace isobench::safety::testing {
namespace {
namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Processes whose command line holds `text`.
std::vector<pid_t> processes_with(const std::string& text) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_proc_file(entry.path() / "cmdline").find(text) != std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

// Polls `done` until it holds or `seconds` passed; true when it held.
template <class Done>
bool eventually(Done&& done, int seconds = 60) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    ::usleep(20'000);
  }
  return true;
}

bool any_cgroup_named(const std::string& name) {
  std::error_code ec;
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (fs::exists(hierarchy.path() / name, ec)) return true;
  return fs::exists(fs::path("/sys/fs/cgroup") / name, ec);
}

// A bench killed with SIGKILL while an engine runs a container for it: docker's private
// daemon (dockerd, containerd, shim) or podman's conmon live on as orphans with the
// workload, overlay and netns mounts, a cgroup tree and the engine's files.
class EngineClean : public ::testing::TestWithParam<const char*> {};

TEST_P(EngineClean, BenchCleanRemovesWhatTheEngineOfAKilledRunLeft) {
  const std::string engine = GetParam();
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  const char* binary = engine == "docker" ? "/usr/sbin/dockerd" : "/usr/bin/podman";
  if (::access(binary, X_OK) != 0) GTEST_SKIP() << binary << " is not installed";
  fs::path state = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-" + engine + "state";
  fs::create_directories(state);
  // What the engine makes on the host on first use, wherever its roots are: the killed run
  // makes those that are not there before it starts, and bench clean removes them.
  const std::vector<std::string> first_use =
      engine == "docker" ? std::vector<std::string>{"/run/docker", "/run/containerd", "/opt/containerd"}
                         : std::vector<std::string>{"/var/lib/containers", "/var/cache/containers",
                                                    "/etc/cni/net.d/cni.lock", "/run/runc"};
  std::vector<std::string> made_by_run;
  for (const auto& path : first_use)
    if (std::error_code ec; !fs::exists(path, ec)) made_by_run.push_back(path);
  BenchStart how;
  how.env = {{"ISOBENCH_STATE_DIR", state.string()}};
  // A workload argument that nothing else on the host runs, to find its process by.
  const std::string seconds = std::to_string(600 + ::getpid() % 1000);
  std::string base = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-" + engine;
  pid_t bench = start_bench({"run", "--backend", engine, "idle", seconds}, base + ".out", base + ".err", how);
  ASSERT_GT(bench, 0);
  const std::string workload = std::string("/isobench-workload\0idle\0", 24) + seconds;
  bool running = eventually([&] { return !processes_with(workload).empty(); }, 120);
  ::kill(bench, SIGKILL);
  ::waitpid(bench, nullptr, 0);
  ASSERT_TRUE(running) << read_text(base + ".err");

  const std::string name = "isobench-" + engine + "-" + std::to_string(bench);
  fs::path engine_dir = state / name;
  fs::path run_dir = fs::path("/run") / name;  // podman's runroot
  EXPECT_FALSE(processes_with(engine_dir.string()).empty()) << "the killed run's " << engine << " processes live on";
  EXPECT_TRUE(any_cgroup_named(name));

  auto clean = run_bench({"clean"}, how);
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_NE(clean.out.find("removed process"), std::string::npos) << clean.out;
  EXPECT_NE(clean.out.find("removed temp path " + engine_dir.string()), std::string::npos) << clean.out;
  EXPECT_TRUE(eventually([&] { return processes_with(engine_dir.string()).empty(); }));
  EXPECT_TRUE(eventually([&] { return processes_with(workload).empty(); }));
  EXPECT_EQ(read_text("/proc/self/mountinfo").find(engine_dir.string()), std::string::npos) << "a mount is left";
  EXPECT_FALSE(any_cgroup_named(name));
  EXPECT_FALSE(fs::exists(engine_dir));
  EXPECT_FALSE(fs::exists(run_dir));
  // (An engine of another run on this host that makes one of them meanwhile fails this.)
  for (const auto& path : made_by_run) {
    std::error_code ec;
    EXPECT_FALSE(fs::exists(path, ec)) << path << " was left";
  }

  fs::remove_all(state);
  fs::remove(base + ".out");
  fs::remove(base + ".err");
}

INSTANTIATE_TEST_SUITE_P(Engines, EngineClean, ::testing::Values("docker", "podman"));

}  // namespace
}  // namespace isobench::safety::testing
