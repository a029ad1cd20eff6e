// The scan and the ownership rule on a scratch tree (logic), beside real_host_test.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <fstream>
#include <map>
#include <set>

#include "bench/safety/artifacts.hpp"
#include "bench/safety/leak_audit.hpp"

namespace isobench::safety {
namespace {
namespace fs = std::filesystem;

pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

class ScratchHost : public ::testing::Test {
 protected:
  void SetUp() override {
    // Named with this pid, so that a concurrent run's audit leaves it alone.
    std::string pattern = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    roots_.proc = base_ / "proc";
    roots_.mountinfo = base_ / "mountinfo";
    roots_.cgroup = base_ / "cgroup";
    roots_.netns = base_ / "netns";
    roots_.net = base_ / "net";
    roots_.temp_dirs = {base_ / "tmp"};
    roots_.run = base_ / "run";
    roots_.state_dir = base_ / "state";
    roots_.nft_tables = false;  // the host's tables are not part of the scratch tree
    for (auto* dir : {"proc", "cgroup/memory/system.slice", "cgroup/unified", "netns", "net/eth0", "tmp", "run/isobench-crun",
                      "state/libvirt/run/qemu"})
      fs::create_directories(base_ / dir);
    fs::create_directory_symlink("memory", base_ / "cgroup/memory_alias");
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  HostRoots roots_;
};

TEST(OwnerPid, ReadsThePidThatBackendsPutInNames) {
  EXPECT_EQ(owner_pid("/sys/fs/cgroup/memory/isobench-container-4242-7"), 4242);
  EXPECT_EQ(owner_pid("/tmp/isobench-vm-17-3.Ab12Cd"), 17);
  EXPECT_EQ(owner_pid("guest=isobench-qemu-99,debug-threads=on"), 99);
  EXPECT_EQ(owner_pid("/tmp/isobench-oci-123-XyZ123"), 123);
  EXPECT_EQ(owner_pid("/tmp/isobench-oci-XyZ123"), std::nullopt);
  EXPECT_EQ(owner_pid("/var/lib/isobench/images"), std::nullopt);
  EXPECT_EQ(owner_pid("isobench-vm-12x"), std::nullopt);
}

// Device names have no room for a pid (15 characters): the net suite's devices carry
// their owner in the alias.
TEST_F(ScratchHost, NetDeviceOwnerComesFromItsAlias) {
  fs::create_directory(base_ / "net/isobench-b3f");
  std::ofstream(base_ / "net/isobench-b3f/ifalias") << "isobench-net-4242\n";
  fs::create_directory(base_ / "net/isobench-v3f");
  std::ofstream(base_ / "net/isobench-v3f/ifalias") << "\n";
  std::map<std::string, std::optional<pid_t>> owners;
  for (const auto& artifact : scan_host(roots_))
    if (artifact.kind == ArtifactKind::kNetDevice) owners[fs::path(artifact.id).filename()] = artifact.owner;
  ASSERT_EQ(owners.size(), 2u);
  EXPECT_EQ(owners["isobench-b3f"], 4242);
  EXPECT_EQ(owners["isobench-v3f"], std::nullopt);
}

TEST_F(ScratchHost, FindsEveryKindOnceAndNothingElse) {
  fs::create_directories(base_ / "cgroup/memory/isobench-container-11-1/inner-isobench");
  fs::create_directories(base_ / "cgroup/unified/system.slice/isobench-crun-12-1");
  fs::create_directories(base_ / "cgroup/memory/system.slice/other");
  std::ofstream(base_ / "mountinfo") << "22 1 0:21 / /proc rw - proc proc rw\n"
                                     << "90 22 0:50 / /tmp/isobench\\040oci-13-ab/rootfs rw - tmpfs t rw\n";
  std::ofstream(base_ / "netns/isobench-net-14-1");
  fs::create_directory(base_ / "net/isobench0");
  fs::create_directory(base_ / "tmp/isobench-vm-15-1.abc");
  fs::create_directory(base_ / "tmp/unrelated");
  fs::create_directory(base_ / "run/isobench-crun/isobench-crun-16-1");
  std::ofstream(base_ / "state/libvirt/run/qemu/isobench-vm-17-1.xml");

  auto found = scan_host(roots_);
  std::vector<std::string> ids;
  for (const auto& artifact : found) ids.push_back(std::string(kind_name(artifact.kind)) + " " + artifact.id);
  std::vector<std::string> want = {
      "cgroup " + (base_ / "cgroup/memory/isobench-container-11-1").string(),
      "cgroup " + (base_ / "cgroup/unified/system.slice/isobench-crun-12-1").string(),
      "mount /tmp/isobench oci-13-ab/rootfs",
      "network namespace " + (base_ / "netns/isobench-net-14-1").string(),
      "network device " + (base_ / "net/isobench0").string(),
      "libvirt state " + (base_ / "state/libvirt/run/qemu/isobench-vm-17-1.xml").string(),
      "temp path " + (base_ / "run/isobench-crun/isobench-crun-16-1").string(),
      "temp path " + (base_ / "tmp/isobench-vm-15-1.abc").string(),
  };
  EXPECT_EQ(ids, want);
  EXPECT_EQ(found[0].owner, 11);
}

// A fake /proc entry: PID/stat and PID/cmdline (arguments separated by NULs).
void fake_process(const fs::path& proc, pid_t pid, pid_t ppid, const std::vector<std::string>& argv) {
  fs::create_directories(proc / std::to_string(pid));
  std::ofstream(proc / std::to_string(pid) / "stat") << pid << " (x) S " << ppid << " 0 0\n";
  std::ofstream cmdline(proc / std::to_string(pid) / "cmdline");
  for (const auto& arg : argv) cmdline << arg << '\0';
}

// The engines' and gVisor's processes are found by their names and the isobench paths on
// their command lines; a run's private daemon dir in the state dir carries its pid.
TEST_F(ScratchHost, FindsEngineAndSandboxProcessesAndARunsDaemonDir) {
  const std::string dir = "/var/lib/isobench/isobench-docker-21";
  fake_process(roots_.proc, 101, 1, {"/usr/sbin/dockerd", "--data-root", dir + "/data"});
  fake_process(roots_.proc, 102, 101, {"containerd", "--config", dir + "/exec/containerd/containerd.toml"});
  fake_process(roots_.proc, 103, 1, {"/usr/bin/containerd-shim-runc-v2", "-address", dir + "/exec/containerd/containerd.sock"});
  fake_process(roots_.proc, 104, 1, {"runsc-sandbox", "--root=/run/isobench-runsc", "boot", "isobench-runsc-22-1"});
  fake_process(roots_.proc, 105, 1, {"/usr/bin/conmon", "--cid", "abc", "-n", "isobench-podman-23-1"});
  fake_process(roots_.proc, 106, 1, {"vim", dir + "/daemon.json"});               // not ours
  fake_process(roots_.proc, 107, 1, {"/usr/sbin/dockerd", "-H", "unix:///run/docker.sock"});  // the host's
  fs::create_directories(base_ / "state/isobench-docker-21/data");
  fs::create_directories(base_ / "state/images");
  std::map<std::string, std::optional<pid_t>> found;
  for (const auto& artifact : scan_host(roots_))
    if (artifact.kind == ArtifactKind::kProcess || artifact.id.find("state/") != std::string::npos)
      found[artifact.id] = artifact.owner;
  std::map<std::string, std::optional<pid_t>> want = {
      {"101", 21}, {"102", 21}, {"103", 21}, {"104", 22}, {"105", 23},
      {(base_ / "state/isobench-docker-21").string(), 21},
  };
  EXPECT_EQ(found, want);
}

TEST_F(ScratchHost, AuditTakesItsOwnAndDeadRunsNewLeftoversButNeverALiveRunsOrOldOnes) {
  pid_t dead = dead_pid();
  pid_t live_other = ::getppid();
  fs::create_directory(base_ / ("tmp/isobench-old-" + std::to_string(dead) + "-1"));
  RunBaseline baseline = take_baseline(roots_);
  baseline.run_pid = ::getpid();
  auto name = [&](const char* kind, pid_t pid) { return (base_ / "tmp" / ("isobench-" + std::string(kind) + "-" + std::to_string(pid) + "-1")).string(); };
  fs::create_directory(name("mine", ::getpid()));
  fs::create_directory(name("dead", dead));
  fs::create_directory(name("live", live_other));
  fs::create_directory(base_ / "tmp/isobench-nopid-unused");
  fs::create_directory(base_ / "tmp/isobench-nopid-held");
  int held = ::open((base_ / "tmp/isobench-nopid-held").c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(held, 0);

  auto old_time = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  fs::last_write_time(base_ / "tmp/isobench-nopid-unused", old_time);
  fs::last_write_time(base_ / "tmp/isobench-nopid-held", old_time);

  auto found = leaks_of_run(scan_host(roots_), baseline);
  std::set<std::string> leaks, unattributed;
  for (const auto& artifact : found.leaks) leaks.insert(artifact.id);
  for (const auto& artifact : found.unattributed) unattributed.insert(artifact.id);
  EXPECT_EQ(leaks, (std::set<std::string>{name("mine", ::getpid()), name("dead", dead)}));
  EXPECT_EQ(unattributed, (std::set<std::string>{(base_ / "tmp/isobench-nopid-unused").string(),
                                                 (base_ / "tmp/isobench-nopid-held").string()}));

  std::set<std::string> cleanable;
  for (const auto& artifact : leftovers(scan_host(roots_), ProcessTable(), ::getpid())) cleanable.insert(artifact.id);
  // `bench clean` also takes the old leftover, never the live run's, nor its own.
  EXPECT_TRUE(cleanable.contains((base_ / ("tmp/isobench-old-" + std::to_string(dead) + "-1")).string()));
  EXPECT_TRUE(cleanable.contains(name("dead", dead)));
  EXPECT_FALSE(cleanable.contains(name("live", live_other)));
  EXPECT_FALSE(cleanable.contains(name("mine", ::getpid())));
  // Without a pid: only once unused and unchanged for kStaleAfter.
  EXPECT_TRUE(cleanable.contains((base_ / "tmp/isobench-nopid-unused").string()));
  EXPECT_FALSE(cleanable.contains((base_ / "tmp/isobench-nopid-held").string()));
  ::close(held);
}

}  // namespace
}  // namespace isobench::safety
