// Host safety through the real `bench` (issue 11, item 5): the container backend works
// rootless through a user namespace where the host allows it; backends that need root
// refuse without it in one line that says what to do; state and temp dirs are 0700.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "common/tests/temp_dir.hpp"
#include "leftovers.hpp"
#include "run_bench.hpp"

namespace isobench::safety::testing {
namespace {

namespace fs = std::filesystem;
using isobench::testing::TempDir;

constexpr uid_t kNobody = 65534;

std::optional<long> read_number(const char* path) {
  std::ifstream in(path);
  long value = 0;
  if (in >> value) return value;
  return std::nullopt;
}

// Why an unprivileged user namespace cannot be made here, or nullopt when it can.
std::optional<std::string> userns_refused() {
  if (auto max = read_number("/proc/sys/user/max_user_namespaces"); max && *max == 0)
    return "user.max_user_namespaces is 0";
  if (auto allowed = read_number("/proc/sys/kernel/unprivileged_userns_clone"); allowed && *allowed == 0)
    return "kernel.unprivileged_userns_clone is 0";
  return std::nullopt;
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 ? info.st_mode & 07777 : 0;
}

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

// bench and the workload copied where the unprivileged user can run them, with a home
// and a state dir of its own (not yet created: bench creates it).
class AsNobody : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to an unprivileged user";
    if (!fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "setpriv (util-linux) is not installed";
    ASSERT_FALSE(dir_.path().empty());
    fs::path bench = fs::canonical(bench_path());
    fs::copy_file(bench, dir_.path() / "bench");
    fs::copy_file(bench.parent_path() / "isobench-workload", dir_.path() / "isobench-workload");
    ASSERT_EQ(::chmod(dir_.path().c_str(), 0755), 0);
    ASSERT_EQ(::chown(dir_.path().c_str(), kNobody, kNobody), 0);
    how_.bench = (dir_.path() / "bench").string();
    how_.wrapper = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"};
    how_.env = {{"HOME", dir_.path().string()}, {"ISOBENCH_STATE_DIR", state().string()}};
  }
  fs::path state() const { return dir_.path() / "state"; }

  TempDir dir_{"isobench-rootless-test-"};
  BenchStart how_;
};

TEST_F(AsNobody, ContainerRunsRootlessThroughAUserNamespace) {
  if (auto why = userns_refused()) GTEST_SKIP() << "this host refuses unprivileged user namespaces: " << *why;
  auto run = run_bench({"run", "--backend", "container", "identity"}, how_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto result = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_TRUE(result.is_object()) << run.out;
  EXPECT_TRUE(result.value("ok", false)) << run.out;
  EXPECT_EQ(result["data"].value("pid", 0), 1) << "PID 1 of its own PID namespace: " << run.out;
  // The state dir bench created for this user (images) is private to it.
  EXPECT_EQ(mode_of(state()), 0700u);
  struct stat info {};
  ASSERT_EQ(::stat(state().c_str(), &info), 0);
  EXPECT_EQ(info.st_uid, kNobody);
}

TEST_F(AsNobody, LimitsWithoutRootAreRefusedInOneLine) {
  auto run = run_bench({"run", "--backend", "container", "--memory", "32M", "noop"}, how_);
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(lines(run.err), 1u) << run.err;
  EXPECT_NE(run.err.find("needs root"), std::string::npos) << run.err;
}

TEST_F(AsNobody, OciRuntimesWithoutRootAreRefusedInOneLine) {
  for (const char* runtime : {"runc", "crun"}) {
    auto run = run_bench({"run", "--backend", runtime, "noop"}, how_);
    EXPECT_EQ(run.exit_code, 2) << runtime << ": " << run.err;
    EXPECT_EQ(lines(run.err), 1u) << run.err;
    // Installed: needs root, and what to do; not installed: how to install it.
    EXPECT_TRUE(run.err.find("needs root") != std::string::npos || run.err.find("apt-get install") != std::string::npos)
        << run.err;
  }
}

TEST_F(AsNobody, GuestKernelOnlyRootCanReadIsRefusedInOneLine) {
  // Root's state dir is 0700: another user's bench cannot read the kernel cached there and
  // says so, with what to do, instead of failing later inside libvirt or QEMU.
  for (const char* backend : {"vm", "qemu"}) {
    auto run = run_bench({"run", "--backend", backend, "--guest-kernel", "/var/lib/isobench/guest-kernel/vmlinuz", "noop"},
                         how_);
    EXPECT_EQ(run.exit_code, 2) << backend << ": " << run.err;
    EXPECT_EQ(lines(run.err), 1u) << run.err;
    EXPECT_NE(run.err.find("--guest-kernel"), std::string::npos) << run.err;
  }
}

// An OCI run's bundle dir (/tmp/isobench-oci-PID-*) and the runtime's state root are
// 0700 while the container runs; the state dir is 0700 too.
TEST(PrivateDirs, OciBundleStateRootAndStateDirAre0700WhileInUse) {
  if (::geteuid() != 0) GTEST_SKIP() << "the OCI backends need root";
  if (!fs::exists("/usr/sbin/runc") && !fs::exists("/usr/bin/runc")) GTEST_SKIP() << "runc is not installed";
  std::string out_file = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-dirs.1";
  std::string err_file = "/tmp/isobench-safetytest-" + std::to_string(::getpid()) + "-dirs.2";
  pid_t pid = start_bench({"run", "--backend", "runc", "idle", "3"}, out_file, err_file);
  std::string prefix = "isobench-oci-" + std::to_string(pid) + "-";
  std::optional<fs::path> bundle;
  mode_t bundle_mode = 0;
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!bundle && std::chrono::steady_clock::now() < give_up) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/tmp", ec))
      if (entry.path().filename().string().starts_with(prefix)) {
        bundle = entry.path();
        bundle_mode = mode_of(entry.path());
      }
    if (!bundle) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  std::ifstream err(err_file);
  std::string err_text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  ::unlink(out_file.c_str());
  ::unlink(err_file.c_str());
  ASSERT_EQ(exit_code_of(status), 0) << err_text;
  ASSERT_TRUE(bundle.has_value()) << "no " << prefix << "* seen under /tmp";
  EXPECT_EQ(bundle_mode, 0700u) << *bundle;
  EXPECT_FALSE(fs::exists(*bundle)) << "removed after the run";
  EXPECT_EQ(mode_of("/run/isobench-runc"), 0700u);
  EXPECT_EQ(mode_of("/var/lib/isobench"), 0700u);
  expect_nothing_left_by(pid);
}

}  // namespace
}  // namespace isobench::safety::testing
