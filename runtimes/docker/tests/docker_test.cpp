#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <fstream>
#include <set>
#include <nlohmann/json.hpp>

#include "common/spawn.hpp"
#include "docker/docker_backend.hpp"
#include "docker/private_dockerd.hpp"
#include "engine/engine_cli.hpp"
#include "engine/engine_host.hpp"
#include "image/minimal_image.hpp"
#include "oci/oci_runtime.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> mounts_naming(const std::string& text) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);)
    if (line.find(text) != std::string::npos) out.push_back(line);
  return out;
}

std::vector<std::string> cgroups_named(const std::string& name) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator("/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 3) it.disable_recursion_pending();
    if (it->path().filename() == name) out.push_back(it->path());
  }
  return out;
}

// What a private daemon of this process could leave on the host.
std::vector<std::string> daemon_leftovers(const fs::path& state_dir) {
  fs::path dir = private_dockerd_dir(state_dir, ::getpid());
  std::vector<std::string> out;
  for (pid_t pid : processes_naming(dir.string())) out.push_back("process " + std::to_string(pid));
  for (const auto& line : mounts_naming(dir.string())) out.push_back("mount " + line);
  for (const auto& path : cgroups_named("isobench-docker-" + std::to_string(::getpid()))) out.push_back("cgroup " + path);
  if (fs::exists(dir)) out.push_back("dir " + dir.string());
  return out;
}

bool exists(const char* path) { return ::access(path, F_OK) == 0; }

class DockerRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root: a private dockerd";
    if (!find_runtime_binary("dockerd")) GTEST_SKIP() << "dockerd is not installed (apt-get install docker.io)";
    char dir[] = "/tmp/isobench-docker-test-state-XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    config_.workload_binary = ISOBENCH_WORKLOAD_BINARY;
    config_.state_dir = dir;
    had_run_docker_ = exists("/run/docker");
    had_run_containerd_ = exists("/run/containerd");
    shim_sockets_ = entries("/run/containerd/s");
    had_trust_key_ = exists("/etc/docker/key.json");
    had_opt_ = exists("/opt/containerd");
  }
  void TearDown() override {
    if (!config_.state_dir.empty()) fs::remove_all(config_.state_dir);
  }
  // Nothing that was not there before is left. (What was there may belong to another run
  // on this host, with a daemon of its own: its paths come and go meanwhile.)
  void expect_host_as_before() {
    EXPECT_EQ(daemon_leftovers(config_.state_dir), std::vector<std::string>{});
    if (!had_run_docker_) {
      EXPECT_FALSE(exists("/run/docker"));
    }
    if (!had_run_containerd_) {
      EXPECT_FALSE(exists("/run/containerd"));
    }
    if (!had_trust_key_) {
      EXPECT_FALSE(exists("/etc/docker/key.json")) << "dockerd wrote its trust key into /etc/docker";
    }
    if (!had_opt_) {
      EXPECT_FALSE(exists("/opt/containerd"));
    }
    // A shim's socket that nobody listens on any more is a leftover; another run's live
    // shims answer.
    for (const auto& socket : entries("/run/containerd/s"))
      if (!shim_sockets_.contains(socket)) {
        EXPECT_TRUE(answers(socket)) << "a dead shim's socket was left: " << socket;
      }
  }
  static bool answers(const fs::path& socket) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof(address.sun_path) - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok = fd >= 0 && ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    if (fd >= 0) ::close(fd);
    return ok;
  }
  static std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) out.insert(entry.path());
    return out;
  }
  std::set<std::string> shim_sockets_;
  bool had_trust_key_ = false;
  bool had_opt_ = false;
  BackendConfig config_;
  bool had_run_docker_ = false;
  bool had_run_containerd_ = false;
};

}  // namespace

TEST(EngineCreateArgs, SameFilesystemAsTheBundlesNoNetworkAndTheLimits) {
  EngineContainerSpec spec;
  spec.name = "isobench-docker-1-1";
  spec.image = "isobench-docker-1-minimal";
  spec.command = {"alloc", "8M"};
  spec.limits.memory_bytes = 64 << 20;
  spec.limits.pids = 16;
  auto args = engine_create_args(spec);
  ASSERT_TRUE(args);
  auto has = [&](const std::string& flag, const std::string& value) {
    for (std::size_t i = 0; i + 1 < args->size(); ++i)
      if ((*args)[i] == flag && (*args)[i + 1] == value) return true;
    return false;
  };
  EXPECT_TRUE(has("--network", "none"));
  EXPECT_TRUE(has("--memory", std::to_string(64 << 20)));
  EXPECT_TRUE(has("--pids-limit", "16"));
  EXPECT_TRUE(has("--name", "isobench-docker-1-1"));
  EXPECT_NE(std::find(args->begin(), args->end(), "--read-only"), args->end());
  // The image, then the workload's own arguments, last.
  EXPECT_EQ(std::vector<std::string>(args->end() - 3, args->end()),
            (std::vector<std::string>{"isobench-docker-1-minimal", "alloc", "8M"}));
  spec.network.kind = NetworkAttachment::Kind::kJoin;
  spec.network.netns_path = "/proc/1/ns/net";
  auto joined = engine_create_args(spec);
  ASSERT_FALSE(joined);
  EXPECT_NE(joined.error().describe().find("/proc/1/ns/net"), std::string::npos);
  // podman joins it by path.
  spec.joins_netns_by_path = true;
  auto by_path = engine_create_args(spec);
  ASSERT_TRUE(by_path) << by_path.error().describe();
  auto ns = std::find(by_path->begin(), by_path->end(), "ns:/proc/1/ns/net");
  ASSERT_NE(ns, by_path->end());
  EXPECT_EQ(*(ns - 1), "--network");
}

TEST(EngineVersion, ReadsTheVersionWord) {
  EXPECT_EQ(engine_version_word("Docker version 20.10.24+dfsg1, build 297e128\n"), "20.10.24+dfsg1");
  EXPECT_EQ(engine_version_word("podman version 4.3.1"), "4.3.1");
  EXPECT_EQ(engine_version_word("something else"), "something else");
}

TEST(EngineImport, APathThatIsNeitherATreeNorATarIsAnErrorNamingIt) {
  EngineCli cli{"/nonexistent/docker", {}, {}, {}};
  auto imported = engine_import_image(cli, "/nonexistent/isobench-rootfs.tar", "/isobench-workload", "isobench-x", "/tmp");
  ASSERT_FALSE(imported);
  EXPECT_NE(imported.error().describe().find("`/nonexistent/isobench-rootfs.tar` is neither a directory nor a tar file"),
            std::string::npos)
      << imported.error().describe();
}

TEST(DockerBackend, UnreachableUserDaemonIsUnavailableWithTheReason) {
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  config.state_dir = "/nonexistent/isobench-state";
  config.docker_host = "unix:///nonexistent/isobench-docker.sock";
  auto backend = make_docker_backend(config);
  Availability available = backend->probe();
  EXPECT_FALSE(available.available);
  EXPECT_NE(available.reason.find("docker version"), std::string::npos) << available.reason;
  EXPECT_TRUE(backend->shut_down());
}

// The private daemon runs a container of the shared image, and shut_down leaves the host
// as it found it: no daemon, containerd or shim, no mount, no cgroup parent, no files.
TEST_F(DockerRun, IdentityUnderAPrivateDaemonThatLeavesNothingBehind) {
  auto backend = make_docker_backend(config_);
  Availability available = backend->probe();
  ASSERT_TRUE(available.available) << available.reason;
  LaunchOptions options;
  options.workload = {"identity", {}};
  auto instance = backend->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(60))));
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(60)));
  ASSERT_TRUE(outcome);
  ASSERT_TRUE(outcome->ok()) << outcome->failure;
  auto torn_down = (*instance)->teardown();
  ASSERT_TRUE(torn_down) << torn_down.error().describe();
  auto data = nlohmann::json::parse(outcome->result_line)["data"];
  EXPECT_EQ(data["pid"], 1);
  EXPECT_EQ(data["hostname"], "isobench");
  // Its cgroup is under the daemon's parent, named for this run.
  EXPECT_NE(data["cgroup"].dump().find("isobench-docker-" + std::to_string(::getpid())), std::string::npos) << data["cgroup"];
  auto manifest = backend->manifest();
  EXPECT_EQ(manifest.at("daemon"), "private");
  EXPECT_GT(std::stod(manifest.at("daemon_start_s")), 0);
  EXPECT_GT(std::stod(manifest.at("image_build_s")), 0);
  EXPECT_GT(std::stoull(manifest.at("dockerd_pss_bytes")), 0u);
  EXPECT_GT(std::stoull(manifest.at("containerd_pss_bytes")), 0u);
  // The image suite's figure: one more import of the rootfs, timed, then removed.
  auto rootfs = ensure_minimal_image(config_);
  ASSERT_TRUE(rootfs);
  auto built = backend->build_image_from(rootfs->rootfs);
  ASSERT_TRUE(built) << built.error().describe();
  ASSERT_TRUE(built->has_value());
  EXPECT_GT(**built, 0);
  // ... and from a tar of the rootfs, as scripts/build-distro-image keeps the distro's.
  fs::path tar = config_.state_dir / "isobench-rootfs.tar";
  ASSERT_TRUE(capture_output({"/bin/tar", "--create", "--file", tar.string(), "--directory", rootfs->rootfs.string(), "."},
                             Deadline::after(std::chrono::seconds(60))));
  auto from_tar = backend->build_image_from(tar);
  ASSERT_TRUE(from_tar) << from_tar.error().describe();
  ASSERT_TRUE(from_tar->has_value());
  EXPECT_GT(**from_tar, 0);
  EXPECT_TRUE(fs::exists(tar)) << "a tar given to import is the caller's";
  EXPECT_FALSE(daemon_leftovers(config_.state_dir).empty()) << "the daemon runs until shut_down";
  auto stopped = backend->shut_down();
  ASSERT_TRUE(stopped) << stopped.error().describe();
  expect_host_as_before();
}

// A daemon killed with SIGKILL mid-run: the running instance fails (its attach ends),
// and shut_down still removes everything the dead daemon left (containerd, the shim and
// the workload, overlay and netns mounts, the cgroups, the files).
TEST_F(DockerRun, DaemonKilledMidRunFailsTheInstanceAndItsLeftoversAreRemoved) {
  auto backend = make_docker_backend(config_);
  ASSERT_TRUE(backend->probe().available);
  LaunchOptions options;
  options.workload = {"idle", {"120"}};
  auto instance = backend->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(60))));
  fs::path dir = private_dockerd_dir(config_.state_dir, ::getpid());
  pid_t dockerd = 0;
  std::ifstream(dir / "docker.pid") >> dockerd;
  ASSERT_GT(dockerd, 0);
  ASSERT_EQ(::kill(dockerd, SIGKILL), 0);
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(60)));
  EXPECT_TRUE(!outcome || !outcome->ok()) << "the instance outlived its daemon";
  (void)(*instance)->teardown();  // `docker rm` has no daemon to talk to: an error, and no hang
  (void)backend->shut_down();
  expect_host_as_before();
}
