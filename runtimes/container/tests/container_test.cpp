// The container runtime on the real kernel (root): isolation seen from inside, limits
// enforced, failures named, nothing left behind.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "container/container_backend.hpp"
#include "test_support.hpp"

using namespace isobench;
using namespace isobench::testing;
namespace fs = std::filesystem;

namespace {

std::uint64_t host_namespace_id(const std::string& kind) {
  struct stat st{};
  ::stat(("/proc/self/ns/" + kind).c_str(), &st);
  return st.st_ino;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int count_lines_with(const std::string& text, const std::string& needle) {
  int n = 0;
  std::size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) ++n, pos += needle.size();
  return n;
}

// cgroups this test process created (their names carry its pid).
int own_cgroups() {
  std::string prefix = "isobench-container-" + std::to_string(::getpid()) + "-";
  int n = 0;
  for (const char* root : {"/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/cpu", "/sys/fs/cgroup"}) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root, ec))
      if (entry.path().filename().string().starts_with(prefix)) ++n;
  }
  return n;
}

LaunchOptions workload(std::string name, std::vector<std::string> args = {}) {
  LaunchOptions options;
  options.workload = {std::move(name), std::move(args)};
  return options;
}

}  // namespace

TEST(Container, IdentityIsPid1InNoneOfTheHostsNamespaces) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  config.state_dir = state.path();
  auto backend = make_container_backend(config);
  Availability available = backend->probe();
  ASSERT_TRUE(available.available) << available.reason;
  auto instance = backend->launch(workload("identity"));
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(10))));
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(10)));
  ASSERT_TRUE(outcome);
  ASSERT_TRUE(outcome->ok()) << outcome->failure;
  ASSERT_TRUE((*instance)->teardown());

  auto data = nlohmann::json::parse(outcome->result_line)["data"];
  EXPECT_EQ(data["pid"], 1);
  EXPECT_EQ(data["hostname"], "isobench");
  for (const char* kind : {"mnt", "pid", "net", "uts", "ipc", "cgroup"})
    EXPECT_NE(data["namespaces"][kind].get<std::uint64_t>(), host_namespace_id(kind)) << kind;
  // Inside the cgroup namespace the container's own cgroup is the root.
  bool memory_root = false;
  for (const auto& line : data["cgroup"]) memory_root = memory_root || line == "4:memory:/" || line == "0::/";
  EXPECT_TRUE(memory_root) << data["cgroup"];
  EXPECT_EQ((*instance)->attributes()["rootfs"], "pivot_root");
  // The workload can gain nothing by execve and holds none of the capabilities that
  // reach the host: CAP_SYS_ADMIN is bit 21, CAP_SYS_MODULE 16, CAP_SYS_PTRACE 19.
  EXPECT_TRUE(data["privileges"]["no_new_privs"].get<bool>());
  std::uint64_t effective = std::stoull(data["privileges"]["cap_effective"].get<std::string>(), nullptr, 16);
  EXPECT_NE(effective, 0u);
  for (int capability : {21, 16, 19}) EXPECT_EQ(effective & (1ULL << capability), 0u) << capability;
}

TEST(Container, ChrootModeRunsTheSameImage) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  ContainerImage image = test_image(state.path());
  ContainerSpec spec = default_container_spec(RootfsMode::kChroot);
  auto run = run_once(spec, image, workload("identity"));
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->outcome.ok()) << run->outcome.failure;
  auto data = nlohmann::json::parse(run->outcome.result_line)["data"];
  EXPECT_EQ(data["pid"], 1);
  struct stat image_root{};
  ASSERT_EQ(::stat(image.rootfs.c_str(), &image_root), 0);
  EXPECT_EQ(data["root"]["ino"].get<std::uint64_t>(), image_root.st_ino) << "the root is the image";
  EXPECT_EQ(run->attributes["rootfs"], "chroot");
}

TEST(Container, MemoryLimitEndsInAnOomKillReadFromTheCgroup) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  ContainerImage image = test_image(state.path());
  ContainerSpec spec = default_container_spec(RootfsMode::kPivotRoot);
  ASSERT_NE(spec.cgroup.version, CgroupVersion::kNone);
  LaunchOptions options = workload("alloc", {"256M"});
  options.limits.memory_bytes = 64 << 20;
  auto run = run_once(spec, image, options);
  ASSERT_TRUE(run);
  EXPECT_EQ(run->outcome.failure, "killed: out of memory (limit 64 MiB)");
  EXPECT_FALSE(run->outcome.status.success());

  options.workload.args = {"16M"};  // well under the limit: runs
  auto small = run_once(spec, image, options);
  ASSERT_TRUE(small);
  EXPECT_TRUE(small->outcome.ok()) << small->outcome.failure;
}

TEST(Container, PidsLimitStopsForks) {
  ISOBENCH_REQUIRE_ROOT();
  // A shell from the host's root (RootfsMode::kHost) tries to fork; the workload binary
  // itself never forks.
  ContainerImage image{{}, "/bin/sh", ""};
  ContainerSpec spec = default_container_spec(RootfsMode::kHost);
  LaunchOptions options = workload("-c", {R"(echo '{"isobench":"ready"}'; /bin/true && echo '{"isobench":"result"}')"});
  options.limits.pids = 1;  // the shell itself
  auto limited = run_once(spec, image, options);
  ASSERT_TRUE(limited);
  EXPECT_FALSE(limited->outcome.ok()) << "a fork under pids.max=1 must fail";

  options.limits.pids = 8;
  auto allowed = run_once(spec, image, options);
  ASSERT_TRUE(allowed);
  EXPECT_TRUE(allowed->outcome.ok()) << allowed->outcome.failure;
}

TEST(Container, CpuLimitIsAccepted) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  LaunchOptions options = workload("noop");
  options.limits.cpus = 0.5;
  auto run = run_once(default_container_spec(RootfsMode::kPivotRoot), test_image(state.path()), options);
  ASSERT_TRUE(run);
  EXPECT_TRUE(run->outcome.ok()) << run->outcome.failure;
}

TEST(Container, SetupFailureNamesTheStepThePathAndTheErrno) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  ContainerImage image = test_image(state.path());
  fs::remove(image.rootfs / "proc");  // a broken image: no mount point for /proc
  auto run = run_once(default_container_spec(RootfsMode::kPivotRoot), image, workload("noop"));
  ASSERT_TRUE(run);
  EXPECT_EQ(run->outcome.failure,
            "container setup: mount proc " + in_quotes((image.rootfs / "proc").string()) + ": No such file or directory");
}

TEST(Container, TwoHundredLaunchesLeaveNothingBehind) {
  ISOBENCH_REQUIRE_ROOT();
  StateDir state;
  ContainerImage image = test_image(state.path());
  ContainerSpec spec = default_container_spec(RootfsMode::kPivotRoot);
  std::string mounts_before = read_file("/proc/self/mountinfo");
  for (int i = 0; i < 200; ++i) {
    auto instance = launch_container(spec, image, workload("noop"));
    ASSERT_TRUE(instance) << instance.error().describe();
    if (i % 2 == 0) {  // half run to the end, half are torn down mid-flight
      ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(10))));
      ASSERT_TRUE((*instance)->wait_exit(Deadline::after(std::chrono::seconds(10))));
    }
    ASSERT_TRUE((*instance)->teardown());
  }
  EXPECT_EQ(own_cgroups(), 0);
  std::string mounts_after = read_file("/proc/self/mountinfo");
  EXPECT_EQ(count_lines_with(mounts_after, "isobench"), count_lines_with(mounts_before, "isobench"));
  EXPECT_EQ(mounts_after, mounts_before);
  // Every container's PID 1 was reaped, so its namespaces are gone with it.
  siginfo_t info{};
  EXPECT_EQ(::waitid(P_ALL, 0, &info, WEXITED | WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);
}

TEST(Container, UserNamespaceMapsRoot) {
  StateDir state;
  ContainerImage image = test_image(state.path());
  ContainerSpec spec;
  spec.namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS;
  spec.rootfs = RootfsMode::kPivotRoot;
  spec.loopback = false;
  auto run = run_once(spec, image, workload("identity"));
  ASSERT_TRUE(run);
  ASSERT_TRUE(run->outcome.ok()) << run->outcome.failure;
  auto data = nlohmann::json::parse(run->outcome.result_line)["data"];
  EXPECT_EQ(data["uid"], 0);
  EXPECT_EQ(data["pid"], 1);
  EXPECT_NE(data["namespaces"]["user"].get<std::uint64_t>(), host_namespace_id("user"));
}
