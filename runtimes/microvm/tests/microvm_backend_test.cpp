// The microvm backend through the Backend interface, as the suites use it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "microvm/microvm_backend.hpp"

using namespace isobench;
namespace fs = std::filesystem;

namespace {

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

std::uint64_t rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmRSS:")) return std::stoull(line.substr(6));
  return 0;
}

class MicrovmBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    BackendConfig config;
    config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
    backend_ = make_microvm_backend(config);
    Availability available = backend_->probe();
    if (!available.available) GTEST_SKIP() << "microvm unavailable here: " << available.reason;
  }

  Result<Outcome> run(const std::string& workload, std::vector<std::string> args = {}) {
    LaunchOptions options;
    options.workload = {workload, std::move(args)};
    auto instance = backend_->launch(options);
    if (!instance) return std::unexpected(instance.error());
    if (auto ready = (*instance)->wait_ready(Deadline::after(std::chrono::seconds(30))); !ready)
      return std::unexpected(ready.error());
    auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(60)));
    last_phases_ = (*instance)->phases();
    last_attributes_ = (*instance)->attributes();
    return outcome;
  }

  std::unique_ptr<Backend> backend_;
  PhaseLog last_phases_;
  std::map<std::string, std::string> last_attributes_;
};

}  // namespace

TEST(MicrovmBackendTraits, AMicroVmThatRunsTheWorkloadWithoutAGuestOs) {
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  auto backend = make_microvm_backend(config);
  EXPECT_EQ(backend->name(), "microvm");
  BackendTraits traits = backend->traits();
  EXPECT_EQ(traits.family, BackendFamily::kMicroVm);
  EXPECT_TRUE(traits.runs_workloads);
  EXPECT_FALSE(traits.boots_guest_os);
  EXPECT_FALSE(traits.enforces_limits);
  EXPECT_TRUE(traits.emulation_possible);
}

TEST(MicrovmBackendTraits, WithoutItsVmmItSaysSoAndHowToFixIt) {
  BackendConfig config;
  config.workload_binary = "/nonexistent/bin/isobench-workload";
  auto backend = make_microvm_backend(config);
  Availability available = backend->probe();
  EXPECT_FALSE(available.available);
  EXPECT_NE(available.reason.find("/nonexistent/bin/isobench-microvm"), std::string::npos) << available.reason;
}

TEST_F(MicrovmBackendTest, ThePhasesOfAVmWithoutAGuestOsComeInOrder) {
  auto outcome = run("noop");
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_TRUE(outcome->ok()) << outcome->failure;
  // "created" is marked when posix_spawn returns, which the VMM may already have passed.
  std::vector<std::string> order = {"launch", "vm_created", "memory", "vcpu", "elf_loaded", "ready", "exited"};
  for (std::size_t i = 0; i + 1 < order.size(); ++i) {
    auto a = last_phases_.at(order[i]), b = last_phases_.at(order[i + 1]);
    ASSERT_TRUE(a && b) << order[i] << " / " << order[i + 1];
    EXPECT_LE(*a, *b) << order[i] << " before " << order[i + 1];
  }
  EXPECT_FALSE(last_attributes_["hypervisor"].empty());
  EXPECT_TRUE(last_attributes_["supervisor"] == "user" || last_attributes_["supervisor"] == "ring0");
  EXPECT_GT(std::stod(last_attributes_["native_check_ratio"]), 0.0);
}

TEST_F(MicrovmBackendTest, AnUnsupportedCallAndACrashAreFailedRunsWithTheReason) {
  auto forked = run("syscall", {"fork"});
  ASSERT_TRUE(forked) << forked.error().describe();
  EXPECT_FALSE(forked->ok());
  EXPECT_NE(forked->failure.find("clone (56)"), std::string::npos) << forked->failure;
  auto crashed = run("crash", {"segv"});
  ASSERT_TRUE(crashed) << crashed.error().describe();
  EXPECT_FALSE(crashed->ok());
  EXPECT_NE(crashed->failure.find("Segmentation fault"), std::string::npos) << crashed->failure;
  EXPECT_NE(crashed->failure.find("page fault at 0x0"), std::string::npos) << crashed->failure;
}

TEST_F(MicrovmBackendTest, LimitsAndNetworksAreRefusedWithTheReason) {
  LaunchOptions limited;
  limited.workload = {"noop", {}};
  limited.limits.memory_bytes = 64 << 20;
  auto refused = backend_->launch(limited);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("no limits"), std::string::npos);
  LaunchOptions networked;
  networked.workload = {"noop", {}};
  networked.network.kind = NetworkAttachment::Kind::kHost;
  EXPECT_FALSE(backend_->launch(networked));
}

TEST_F(MicrovmBackendTest, AWorkloadPastItsDeadlineIsKilledAndLeavesNoProcess) {
  LaunchOptions options;
  options.workload = {"idle", {"600"}};
  auto instance = backend_->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  ASSERT_TRUE((*instance)->wait_ready(Deadline::after(std::chrono::seconds(30))));
  std::vector<pid_t> pids = (*instance)->host_pids();
  ASSERT_FALSE(pids.empty());
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::milliseconds(100)));
  ASSERT_FALSE(outcome);
  EXPECT_NE(outcome.error().describe().find("before the timeout"), std::string::npos) << outcome.error().describe();
  ASSERT_TRUE((*instance)->teardown());
  for (pid_t pid : pids) EXPECT_NE(::kill(pid, 0), 0) << "pid " << pid << " is still there";
}

// Each launch is a process with its own VM: nothing of it stays in the harness.
TEST_F(MicrovmBackendTest, AThousandLaunchesLeaveFdsAndMemoryFlat) {
  ASSERT_TRUE(run("noop"));  // the first launch's one-time allocations
  const std::size_t fds = open_fds();
  const std::uint64_t rss = rss_kib();
  for (int i = 0; i < 1000; ++i) {
    auto outcome = run("noop");
    ASSERT_TRUE(outcome) << i << ": " << outcome.error().describe();
    ASSERT_TRUE(outcome->ok()) << i << ": " << outcome->failure;
  }
  EXPECT_EQ(open_fds(), fds);
  EXPECT_LT(rss_kib(), rss + 4096) << "RSS grew from " << rss << " KiB";
}
