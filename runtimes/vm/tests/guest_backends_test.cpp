// The vm and qemu backends booting real guests (TCG here, a few seconds each): identity
// from inside the guest, a guest that never gets ready, ten boots in a row; after each,
// nothing of the guest is left on the host (QEMU process, libvirt domain, console dir,
// QEMU log). Needs root and a cached guest kernel (the ctest fixture fetches one).
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>

#include "runtimes/guest/guest_kernel.hpp"
#include "runtimes/qemu/qemu_backend.hpp"
#include "runtimes/vm/embed_root.hpp"
#include "runtimes/vm/libvirt_connection.hpp"
#include "runtimes/vm/vm_backend.hpp"
#include "guest_test_setup.hpp"

namespace isobench {
namespace {

using vm::testing::cached_kernel;
using vm::testing::processes_mentioning;

constexpr auto kBootTimeout = std::chrono::seconds(90);  // TCG on a loaded 2-core host

// Processes whose command line mentions `needle` (QEMU's -name guest=... carries it).
std::vector<std::string> tmp_entries_starting(const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    if (entry.path().filename().string().starts_with(prefix)) found.push_back(entry.path().string());
  return found;
}

class GuestBackendTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "booting guests needs root (libvirt's embedded driver, QEMU as root)";
    if (!std::filesystem::exists(cached_kernel()))
      GTEST_SKIP() << "no guest kernel at " << cached_kernel() << ": run scripts/fetch-guest-kernel";
    state_dir_ = vm::testing::make_test_state_dir();
    ASSERT_FALSE(state_dir_.empty()) << "mkdtemp under " << std::filesystem::temp_directory_path();
    config_ = vm::testing::guest_test_config(state_dir_);
  }
  void TearDown() override {
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  std::unique_ptr<Backend> make(const guest::GuestTweaks& tweaks = {}) {
    return GetParam() == "vm" ? make_vm_backend(config_, tweaks) : make_qemu_backend(config_, tweaks);
  }
  std::string prefix() const { return "isobench-" + GetParam() + "-" + std::to_string(::getpid()) + "-"; }

  // Nothing of this process's guests is left: QEMU, domains, console dirs, QEMU logs.
  void expect_nothing_left() {
    EXPECT_EQ(processes_mentioning(prefix()), std::vector<std::string>{}) << "QEMU processes left";
    EXPECT_EQ(tmp_entries_starting(prefix()), std::vector<std::string>{}) << "console dirs left";
    if (GetParam() != "vm") return;
    auto connection = vm::LibvirtConnection::open(vm::embed_uri(vm::embed_root(state_dir_)));
    ASSERT_TRUE(connection) << connection.error().describe();
    virDomainPtr* domains = nullptr;
    int count = virConnectListAllDomains((*connection)->get(), &domains, 0);
    ASSERT_GE(count, 0);
    std::vector<std::string> names;
    for (int i = 0; i < count; ++i) {
      names.emplace_back(virDomainGetName(domains[i]));
      virDomainFree(domains[i]);
    }
    free(domains);
    EXPECT_EQ(names, std::vector<std::string>{}) << "libvirt domains left";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(state_dir_ / "libvirt" / "log" / "qemu", ec))
      ADD_FAILURE() << "QEMU log left: " << entry.path();
  }

  BackendConfig config_;
  std::filesystem::path state_dir_;
};

TEST_P(GuestBackendTest, IdentityShowsPid1AndTheGuestKernel) {
  auto backend = make();
  Availability availability = backend->probe();
  ASSERT_TRUE(availability.available) << availability.reason;

  LaunchOptions options;
  options.workload = {"identity", {}};
  auto instance = backend->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  auto ready = (*instance)->wait_ready(Deadline::after(kBootTimeout));
  ASSERT_TRUE(ready) << ready.error().describe();
  EXPECT_EQ(nlohmann::json::parse(*ready).value("pid", 0), 1);
  EXPECT_FALSE((*instance)->host_pids().empty()) << "QEMU's pid";
  auto outcome = (*instance)->wait_exit(Deadline::after(kBootTimeout));
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_TRUE(outcome->ok()) << outcome->failure;
  ASSERT_TRUE((*instance)->teardown());

  auto data = nlohmann::json::parse(outcome->result_line)["data"];
  utsname host{};
  ::uname(&host);
  EXPECT_EQ(data.value("pid", 0), 1);
  EXPECT_NE(data.value("kernel_release", std::string()), std::string(host.release));
  EXPECT_EQ(data.value("kernel_release", std::string()), (*instance)->attributes().at("guest_kernel"));
  EXPECT_TRUE(data["hypervisor"].value("present", false));

  const PhaseLog& phases = (*instance)->phases();
  std::int64_t previous = 0;
  for (const char* phase : {"launch", "created", "qemu_up", "ready", "exited", "torn_down"}) {
    auto at = phases.at(phase);
    ASSERT_TRUE(at) << "no phase " << phase;
    EXPECT_GE(*at, previous) << phase << " out of order";
    previous = *at;
  }
  // The accelerator bench chose is the one the guest ran on: the guest's CPUID names it
  // (scripts/test-guests-nested-kvm runs the kvm side), and libvirt's live domain has
  // the matching type.
  auto attributes = (*instance)->attributes();
  ASSERT_TRUE(attributes.contains("accel"));
  const std::string accel = attributes.at("accel");
  EXPECT_EQ(data["hypervisor"].value("vendor", std::string()), accel == "kvm" ? "KVMKVMKVM" : "TCGTCGTCGTCG");
  if (GetParam() == "vm") EXPECT_EQ(attributes["domain_type"], accel == "kvm" ? "kvm" : "qemu");
  else EXPECT_FALSE(attributes.contains("domain_type"));
  instance->reset();
  expect_nothing_left();
}

TEST_P(GuestBackendTest, GuestThatNeverGetsReadyTimesOutAndLeavesNothing) {
  // No /init to run, and a panic that halts instead of rebooting: the guest hangs.
  auto backend = make({"rdinit=/isobench-missing-init panic=0"});
  ASSERT_TRUE(backend->probe().available) << backend->probe().reason;
  LaunchOptions options;
  options.workload = {"noop", {}};
  auto instance = backend->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  auto start = monotonic_ns();
  auto ready = (*instance)->wait_ready(Deadline::after(std::chrono::seconds(4)));
  ASSERT_FALSE(ready);
  EXPECT_NE(ready.error().describe().find("timeout"), std::string::npos) << ready.error().describe();
  EXPECT_LT(monotonic_ns() - start, 10'000'000'000) << "the timeout must bound the wait";
  EXPECT_FALSE(processes_mentioning(prefix()).empty()) << "QEMU should still be running before teardown";
  instance->reset();  // what the harness does with a failed instance
  expect_nothing_left();
}

// libvirt's embedded driver daemonizes QEMU, so this process (the child subreaper) adopts
// it; a QEMU killed while virDomainCreateXML still runs must be reaped by this process,
// or libvirt waits on a zombie for as long as the process lives (issue 21).
TEST_P(GuestBackendTest, QemuKilledDuringLaunchEndsTheLaunchAndLeavesNothing) {
  auto backend = make();
  ASSERT_TRUE(backend->probe().available) << backend->probe().reason;
  LaunchOptions options;
  options.workload = {"noop", {}};
  auto launching = std::async(std::launch::async, [&] { return backend->launch(options); });
  std::vector<std::string> qemu;
  while (qemu.empty() && launching.wait_for(std::chrono::milliseconds(1)) != std::future_status::ready)
    qemu = processes_mentioning(prefix());
  if (qemu.empty()) {
    launching.get();
    GTEST_SKIP() << "the launch returned before its QEMU was seen; the race was not exercised";
  }
  bool killed_during_launch = launching.wait_for(std::chrono::seconds(0)) != std::future_status::ready;
  for (const auto& pid : qemu) ::kill(std::stoi(pid), SIGKILL);
  // Only a bound for the failure: without the reaper the launch never returns.
  ASSERT_EQ(launching.wait_for(kBootTimeout), std::future_status::ready) << "the launch hangs on a dead QEMU";
  auto instance = launching.get();
  if (instance) {
    auto ready = (*instance)->wait_ready(Deadline::after(kBootTimeout));
    EXPECT_FALSE(ready) << "a killed QEMU cannot report ready";
    instance->reset();
  }
  EXPECT_TRUE(killed_during_launch);
  for (const auto& pid : qemu)
    EXPECT_FALSE(std::filesystem::exists("/proc/" + pid)) << "QEMU " << pid << " left (a zombie nobody reaped?)";
  expect_nothing_left();
}

// --vm-machine microvm: QEMU's minimal machine (no PCI) boots the same kernel and
// initramfs, the workload reports ready and its result, and the row says which machine.
TEST_P(GuestBackendTest, MicrovmMachineBootsReportsReadyAndSaysSo) {
  config_.vm_machine = "microvm";
  auto backend = make();
  ASSERT_TRUE(backend->probe().available) << backend->probe().reason;
  LaunchOptions options;
  options.workload = {"noop", {}};
  auto instance = backend->launch(options);
  ASSERT_TRUE(instance) << instance.error().describe();
  auto ready = (*instance)->wait_ready(Deadline::after(kBootTimeout));
  ASSERT_TRUE(ready) << ready.error().describe();
  auto outcome = (*instance)->wait_exit(Deadline::after(kBootTimeout));
  ASSERT_TRUE(outcome) << outcome.error().describe();
  EXPECT_TRUE(outcome->ok()) << outcome->failure;
  EXPECT_EQ((*instance)->attributes()["machine"], "microvm");
  ASSERT_TRUE((*instance)->teardown());
  expect_nothing_left();
}

TEST_P(GuestBackendTest, TenBootsInARowLeaveNothingBehind) {
  auto backend = make();
  ASSERT_TRUE(backend->probe().available) << backend->probe().reason;
  for (int i = 0; i < 10; ++i) {
    LaunchOptions options;
    options.workload = {"noop", {}};
    auto instance = backend->launch(options);
    ASSERT_TRUE(instance) << "boot " << i << ": " << instance.error().describe();
    auto ready = (*instance)->wait_ready(Deadline::after(kBootTimeout));
    ASSERT_TRUE(ready) << "boot " << i << ": " << ready.error().describe();
    auto outcome = (*instance)->wait_exit(Deadline::after(kBootTimeout));
    ASSERT_TRUE(outcome) << "boot " << i << ": " << outcome.error().describe();
    EXPECT_TRUE(outcome->ok()) << "boot " << i << ": " << outcome->failure;
    ASSERT_TRUE((*instance)->teardown());
  }
  expect_nothing_left();
}

TEST_P(GuestBackendTest, PidsLimitIsRefusedWithoutStartingAGuest) {
  auto backend = make();
  ASSERT_TRUE(backend->probe().available) << backend->probe().reason;
  LaunchOptions options;
  options.workload = {"noop", {}};
  options.limits.pids = 8;
  auto instance = backend->launch(options);
  ASSERT_FALSE(instance);
  EXPECT_NE(instance.error().describe().find("--pids"), std::string::npos) << instance.error().describe();
  expect_nothing_left();
}

INSTANTIATE_TEST_SUITE_P(Backends, GuestBackendTest, ::testing::Values("vm", "qemu"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace isobench
