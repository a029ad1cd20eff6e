#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/spawn.hpp"
#include "engine/engine_host.hpp"
#include "image/minimal_image.hpp"
#include "oci/oci_runtime.hpp"
#include "podman/podman_backend.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

// What podman of this process could leave: processes (conmon) and mounts naming its
// storage, its cgroup parent, the storage dir, and paths podman makes on first use.
std::vector<std::string> podman_leftovers(const fs::path& state_dir) {
  fs::path dir = state_dir / ("isobench-podman-" + std::to_string(::getpid()));
  std::vector<std::string> out;
  for (pid_t pid : processes_naming(dir.string())) out.push_back("process " + std::to_string(pid));
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);)
    if (line.find(dir.string()) != std::string::npos) out.push_back("mount " + line);
  std::error_code ec;
  const std::string parent = "isobench-podman-" + std::to_string(::getpid());
  for (const auto& hierarchy : fs::directory_iterator("/sys/fs/cgroup", ec))
    if (fs::exists(hierarchy.path() / parent, ec)) out.push_back("cgroup " + (hierarchy.path() / parent).string());
  if (fs::exists(dir)) out.push_back("dir " + dir.string());
  fs::path run = "/run/isobench-podman-" + std::to_string(::getpid());
  for (pid_t pid : processes_naming(run.string())) out.push_back("process " + std::to_string(pid));
  if (fs::exists(run)) out.push_back("dir " + run.string());
  return out;
}

std::vector<std::string> existing(const std::vector<std::string>& paths) {
  std::vector<std::string> out;
  for (const auto& path : paths)
    if (::access(path.c_str(), F_OK) == 0) out.push_back(path);
  return out;
}

const std::vector<std::string> kFirstUse = {"/var/lib/containers", "/var/cache/containers", "/etc/cni/net.d/cni.lock",
                                            "/run/runc"};

}  // namespace

// A container of the shared image with the host's deviations applied (rlimits, runc on a
// hybrid host), and nothing left once the backend shuts down.
TEST(PodmanRun, IdentityRunsWithTheRecordedDeviationsAndLeavesNothingBehind) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  if (!find_runtime_binary("podman")) GTEST_SKIP() << "podman is not installed (apt-get install podman)";
  char dir[] = "/tmp/isobench-podman-test-state-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  config.state_dir = dir;
  auto before = existing(kFirstUse);
  {
    auto backend = make_podman_backend(config);
    Availability available = backend->probe();
    ASSERT_TRUE(available.available) << available.reason;
    LaunchOptions options;
    options.workload = {"identity", {}};
    options.limits.pids = 64;
    auto instance = backend->launch(options);
    ASSERT_TRUE(instance) << instance.error().describe();
    auto ready = (*instance)->wait_ready(Deadline::after(std::chrono::seconds(60)));
    ASSERT_TRUE(ready) << ready.error().describe();
    auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(60)));
    ASSERT_TRUE(outcome);
    ASSERT_TRUE(outcome->ok()) << outcome->failure;
    EXPECT_EQ((*instance)->attributes().at("ulimits"), "nofile=1024:1024,nproc=1024:1024");
    ASSERT_TRUE((*instance)->teardown());
    auto data = nlohmann::json::parse(outcome->result_line)["data"];
    EXPECT_EQ(data["pid"], 1);
    EXPECT_EQ(data["hostname"], "isobench");
    auto manifest = backend->manifest();
    EXPECT_NE(manifest.at("deviation").find("RLIMIT_NOFILE"), std::string::npos);
    EXPECT_GT(std::stod(manifest.at("image_build_s")), 0);
    auto rootfs = ensure_minimal_image(config);
    ASSERT_TRUE(rootfs);
    auto built = backend->build_image_from(rootfs->rootfs);
    ASSERT_TRUE(built) << built.error().describe();
    ASSERT_TRUE(built->has_value());
    EXPECT_GT(**built, 0);
    // ... and from a tar of the rootfs, as scripts/build-distro-image keeps the distro's.
    fs::path tar = config.state_dir / "isobench-rootfs.tar";
    ASSERT_TRUE(capture_output(
        {"/bin/tar", "--create", "--file", tar.string(), "--directory", rootfs->rootfs.string(), "."},
        Deadline::after(std::chrono::seconds(60))));
    auto from_tar = backend->build_image_from(tar);
    ASSERT_TRUE(from_tar) << from_tar.error().describe();
    ASSERT_TRUE(from_tar->has_value());
    EXPECT_GT(**from_tar, 0);
    auto stopped = backend->shut_down();
    ASSERT_TRUE(stopped) << stopped.error().describe();
  }
  EXPECT_EQ(podman_leftovers(dir), std::vector<std::string>{});
  EXPECT_EQ(existing(kFirstUse), before) << "podman's first-use paths were left";
  fs::remove_all(dir);
}
