// `bench clean` on the real host: leftovers of a run killed with SIGKILL (named with a
// pid that is gone) are found, removed and listed; a live run's are left alone.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "bench/safety/artifacts.hpp"
#include "run_bench.hpp"
#include "runtimes/common/proc_file.hpp"

namespace isobench::safety::testing {
namespace {
namespace fs = std::filesystem;

pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  ::waitpid(pid, nullptr, 0);
  return pid;
}

// Waits until `pid` runs the program whose command line holds `text` (its exec is done),
// or gives up after 30 s: how long a fork and exec take is no test's business.
bool shows_command_line(pid_t pid, const std::string& text) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    std::string cmdline = read_proc_file("/proc/" + std::to_string(pid) + "/cmdline");
    if (cmdline.find(text) != std::string::npos) return true;
    ::usleep(10'000);
  }
  return false;
}

// Polls `done` until it holds or 30 s passed; true when it held.
template <class Done>
bool eventually(Done&& done) {
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    ::usleep(10'000);
  }
  return true;
}

// A v1 controller where there is one, else the cgroup2 root.
fs::path cgroup_parent() {
  if (fs::exists("/sys/fs/cgroup/pids/cgroup.procs")) return "/sys/fs/cgroup/pids";
  return "/sys/fs/cgroup";
}

pid_t spawn_sleeper(const std::string& program, const std::vector<std::string>& args) {
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

bool gone(pid_t pid) {
  int status = 0;
  return ::waitpid(pid, &status, WNOHANG) == pid || (::kill(pid, 0) != 0 && errno == ESRCH);
}

TEST(BenchClean, RemovesWhatAKilledRunLeftAndListsIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: cgroups and mounts";
  const std::string dead = std::to_string(dead_pid());
  const std::string live = std::to_string(::getpid());

  // A cgroup with a task in it, as the container backend leaves one after SIGKILL.
  fs::path cgroup = cgroup_parent() / ("isobench-container-" + dead + "-1");
  ASSERT_TRUE(fs::create_directory(cgroup));
  pid_t in_cgroup = spawn_sleeper("/bin/sleep", {"600"});
  std::ofstream(cgroup / "cgroup.procs") << in_cgroup << std::flush;
  // A QEMU process that libvirt daemonized, named by its guest.
  fs::path bin = "/tmp/isobench-safetytest-" + dead + "-bin";
  fs::create_directories(bin);
  fs::copy_file("/bin/dash", bin / "qemu-system-x86_64");
  // A shell that stops itself: alive, with the guest name in its command line.
  pid_t qemu = spawn_sleeper(bin / "qemu-system-x86_64", {"-c", "kill -STOP $$", "guest=isobench-vm-" + dead + "-1"});
  // A mount point and a temp dir.
  fs::path mounted = "/tmp/isobench-oci-" + dead + "-abc";
  fs::create_directories(mounted / "rootfs");
  ASSERT_EQ(::mount("isobench-test", (mounted / "rootfs").c_str(), "tmpfs", 0, "size=64k"), 0);
  // A live run's dir, which must survive.
  fs::path live_dir = "/tmp/isobench-safetytest-" + live + "-live";
  fs::create_directories(live_dir);
  // bench clean finds processes by their command lines: wait until both exec'd.
  EXPECT_TRUE(shows_command_line(in_cgroup, std::string("sleep\0" "600", 9)));
  EXPECT_TRUE(shows_command_line(qemu, "guest=isobench-vm-" + dead + "-1"));

  auto run = run_bench({"clean"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("removed cgroup " + cgroup.string()), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("removed process " + std::to_string(qemu)), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("removed mount " + (mounted / "rootfs").string()), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("removed temp path " + mounted.string()), std::string::npos) << run.out;
  EXPECT_FALSE(fs::exists(cgroup));
  EXPECT_FALSE(fs::exists(mounted));
  EXPECT_FALSE(fs::exists(bin));
  for (const auto& artifact : isobench_mounts("/proc/self/mountinfo")) EXPECT_NE(artifact.id, (mounted / "rootfs").string());
  EXPECT_TRUE(eventually([&] { return gone(qemu); }));
  EXPECT_TRUE(eventually([&] { return gone(in_cgroup); }));
  EXPECT_TRUE(fs::exists(live_dir)) << "a live run's dir was removed";

  // Whatever a failed assertion left behind.
  ::umount2((mounted / "rootfs").c_str(), MNT_DETACH);
  ::kill(qemu, SIGKILL);
  ::kill(in_cgroup, SIGKILL);
  ::waitpid(qemu, nullptr, 0);
  ::waitpid(in_cgroup, nullptr, 0);
  ::rmdir(cgroup.c_str());
  fs::remove_all(mounted);
  fs::remove_all(bin);
  fs::remove_all(live_dir);
}

}  // namespace
}  // namespace isobench::safety::testing
