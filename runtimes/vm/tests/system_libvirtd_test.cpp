// The vm backend against a real system libvirtd (qemu:///system), as lab hosts run it,
// and through libvirt's remote driver as `qemu+ssh://host/system` reaches it, on this
// machine only (remote_relay.hpp). The daemon is the one already running, or one this
// test starts and alone stops (system_daemon.hpp). Guests boot under TCG here, a few
// seconds each: two boots in all. Needs root (libvirtd runs as root).
#include <gtest/gtest.h>
#include <libvirt/libvirt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "remote_relay.hpp"
#include "runtimes/guest/guest_kernel.hpp"
#include "runtimes/vm/daemon_qemu_user.hpp"
#include "runtimes/vm/libvirt_connection.hpp"
#include "runtimes/vm/vm_backend.hpp"
#include "guest_test_setup.hpp"
#include "system_daemon.hpp"

namespace isobench {
namespace {

using vm::testing::cached_kernel;
using vm::testing::processes_mentioning;

using vm::testing::RemoteRelay;
using vm::testing::SystemDaemon;

constexpr auto kBootTimeout = std::chrono::seconds(180);  // TCG, and a first daemon probe, on a loaded host

std::vector<std::string> entries_containing(const std::filesystem::path& dir, const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().filename().string().find(needle) != std::string::npos) found.push_back(entry.path().string());
  return found;
}

// The domains the daemon knows (running or defined) whose names contain `needle`, with
// whether each is persistent.
std::map<std::string, bool> domains_named(const std::string& needle) {
  std::map<std::string, bool> found;
  virConnectPtr conn = virConnectOpenReadOnly("qemu:///system");
  if (conn == nullptr) {
    ADD_FAILURE() << "qemu:///system: " << vm::last_libvirt_error();
    return found;
  }
  virDomainPtr* domains = nullptr;
  int count = virConnectListAllDomains(conn, &domains, 0);
  for (int i = 0; i < count; ++i) {
    std::string name = virDomainGetName(domains[i]);
    if (name.find(needle) != std::string::npos) found[name] = virDomainIsPersistent(domains[i]) == 1;
    virDomainFree(domains[i]);
  }
  std::free(domains);
  virConnectClose(conn);
  return found;
}

uid_t process_uid(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("Uid:")) return static_cast<uid_t>(std::stoul(line.substr(4)));
  return static_cast<uid_t>(-1);
}

class SystemLibvirtdTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (::geteuid() != 0) return;
    auto daemon = SystemDaemon::ensure();
    if (!daemon) {
      daemon_error_ = new std::string(daemon.error().describe());
      return;
    }
    daemon_ = daemon->release();
    cgroups_before_ = new std::vector<std::filesystem::path>(vm::testing::machine_cgroups());
    std::cout << (daemon_->started_here() ? "started virtlogd/libvirtd for this test\n"
                                          : "a libvirtd was running: used, and left running\n");
  }
  static void TearDownTestSuite() {
    delete daemon_;  // stops only what SetUpTestSuite started
    daemon_ = nullptr;
  }

  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "libvirtd runs as root: this test starts one or uses the host's";
    ASSERT_EQ(daemon_error_, nullptr) << *daemon_error_;
    if (!std::filesystem::exists(cached_kernel()))
      GTEST_SKIP() << "no guest kernel at " << cached_kernel() << ": run scripts/fetch-guest-kernel";
    state_dir_ = vm::testing::make_test_state_dir();
    ASSERT_FALSE(state_dir_.empty()) << "mkdtemp under " << std::filesystem::temp_directory_path();
    config_ = vm::testing::guest_test_config(state_dir_);
  }
  void TearDown() override {
    if (!state_dir_.empty()) std::filesystem::remove_all(state_dir_);
  }

  std::string prefix() const { return "isobench-vm-" + std::to_string(::getpid()) + "-"; }

  // Boots `workload` to its result; returns the result line.
  // `qemu_uids` receives the uid of each QEMU the domain has just after it started.
  std::string boot(const std::string& workload, std::vector<uid_t>* qemu_uids = nullptr) {
    auto backend = make_vm_backend(config_);
    Availability availability = backend->probe();
    EXPECT_TRUE(availability.available) << availability.reason;
    if (!availability.available) return {};
    LaunchOptions options;
    options.workload = {workload, {}};
    auto instance = backend->launch(options);
    EXPECT_TRUE(instance) << instance.error().describe();
    if (!instance) return {};
    // Read at once: the guest is still booting (seconds), so its QEMU is there.
    if (qemu_uids)
      for (pid_t pid : (*instance)->host_pids()) qemu_uids->push_back(process_uid(std::to_string(pid)));
    auto ready = (*instance)->wait_ready(Deadline::after(kBootTimeout));
    EXPECT_TRUE(ready) << ready.error().describe();
    if (!ready) return {};
    // While it runs: one transient domain, and its QEMU is the daemon's user's.
    auto domains = domains_named(prefix());
    EXPECT_EQ(domains.size(), 1u);
    for (const auto& [name, persistent] : domains) EXPECT_FALSE(persistent) << name << " is persistent";
    auto outcome = (*instance)->wait_exit(Deadline::after(kBootTimeout));
    EXPECT_TRUE(outcome) << outcome.error().describe();
    if (!outcome) return {};
    EXPECT_TRUE(outcome->ok()) << outcome->failure;
    EXPECT_TRUE((*instance)->teardown());
    return outcome->result_line;
  }

  // Nothing of this process's guests on the host or in the daemon.
  void expect_nothing_left() {
    EXPECT_EQ(domains_named(prefix()), (std::map<std::string, bool>{})) << "domains left in the daemon";
    EXPECT_EQ(processes_mentioning(prefix()), std::vector<std::string>{}) << "QEMU left";
    EXPECT_EQ(entries_containing(std::filesystem::temp_directory_path(), prefix()), std::vector<std::string>{})
        << "console/guest dirs left";
    EXPECT_EQ(entries_containing("/var/log/libvirt/qemu", prefix()), std::vector<std::string>{}) << "QEMU logs left";
    EXPECT_EQ(entries_containing("/run/libvirt/qemu", prefix()), std::vector<std::string>{}) << "daemon state left";
    for (const auto& cgroup : vm::testing::machine_cgroups())
      EXPECT_EQ(entries_containing(cgroup, prefix()), std::vector<std::string>{}) << "cgroups left";
  }

  static inline SystemDaemon* daemon_ = nullptr;
  static inline std::string* daemon_error_ = nullptr;
  static inline std::vector<std::filesystem::path>* cgroups_before_ = nullptr;
  BackendConfig config_;
  std::filesystem::path state_dir_;
};

TEST_F(SystemLibvirtdTest, IdentityBootsAsTheDaemonsQemuUserInATransientDomainAndNothingStays) {
  config_.libvirt_uri = "qemu:///system";
  std::filesystem::path kernel = std::filesystem::canonical(cached_kernel());
  struct stat before {};
  ASSERT_EQ(::stat(kernel.c_str(), &before), 0);

  std::vector<uid_t> qemu;
  std::string result = boot("identity", &qemu);
  ASSERT_FALSE(result.empty());
  auto data = nlohmann::json::parse(result)["data"];
  EXPECT_EQ(data.value("pid", 0), 1) << "the workload is the guest's init";
  EXPECT_TRUE(data["hypervisor"].value("present", false));

  // The daemon's QEMU ran as its DAC user (libvirt-qemu), not as root.
  virConnectPtr conn = virConnectOpenReadOnly("qemu:///system");
  ASSERT_NE(conn, nullptr);
  auto user = vm::daemon_qemu_user(conn, data["hypervisor"].value("vendor", "") == "TCGTCGTCGTCG" ? "qemu" : "kvm");
  virConnectClose(conn);
  ASSERT_TRUE(user && *user) << "the daemon has no DAC user";
  ASSERT_EQ(qemu.size(), 1u) << "one QEMU (its pid file) while the guest ran";
  EXPECT_EQ(qemu[0], (*user)->uid);
  EXPECT_NE((*user)->uid, 0u);

  // libvirt relabelled nothing of bench's: the cached kernel keeps its owner and mode.
  struct stat after {};
  ASSERT_EQ(::stat(kernel.c_str(), &after), 0);
  EXPECT_EQ(after.st_uid, before.st_uid);
  EXPECT_EQ(after.st_gid, before.st_gid);
  EXPECT_EQ(after.st_mode, before.st_mode);
  EXPECT_EQ(after.st_nlink, before.st_nlink) << "the guest dir's link to the kernel is gone";
  expect_nothing_left();
}

TEST_F(SystemLibvirtdTest, RemoteDriverThroughAPrivateSocketBootsAGuestAndTheListenerGoes) {
  auto relay = RemoteRelay::start();
  ASSERT_TRUE(relay) << relay.error().describe();
  std::filesystem::path dir = (*relay)->dir();
  std::filesystem::path socket = (*relay)->socket();
  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u) << "only root may reach the listener";
  EXPECT_EQ(st.st_uid, 0u);

  config_.libvirt_uri = (*relay)->uri();
  std::string result = boot("noop");
  EXPECT_FALSE(result.empty());
  EXPECT_GE((*relay)->connections(), 1) << "the guest did not come through the relay";
  expect_nothing_left();

  relay->reset();
  EXPECT_FALSE(std::filesystem::exists(dir)) << "the listener's dir is left";
  EXPECT_FALSE(vm::testing::socket_answers(socket)) << "something still listens";
  EXPECT_EQ(processes_mentioning("virt-ssh-helper"), std::vector<std::string>{}) << "helpers left";
}

// Last (tests run in declaration order): a daemon started here stops, and the machine
// cgroups it made go with it; a daemon that was running stays.
TEST_F(SystemLibvirtdTest, TheDaemonStartedHereStopsAndItsCgroupsGo) {
  bool started_here = daemon_->started_here();
  std::vector<std::filesystem::path> run_dir_before = daemon_->run_dir_before();
  auto stopped = daemon_->stop();
  ASSERT_TRUE(stopped) << stopped.error().describe();
  if (!started_here) {
    EXPECT_TRUE(vm::testing::socket_answers("/run/libvirt/libvirt-sock")) << "the host's libvirtd must stay";
    GTEST_SKIP() << "a libvirtd was already running: used and left running, so nothing to stop";
  }
  EXPECT_FALSE(vm::testing::socket_answers("/run/libvirt/libvirt-sock")) << "libvirtd still answers";
  EXPECT_EQ(vm::testing::machine_cgroups(), *cgroups_before_) << "the machine cgroups are not as before the daemon";
  EXPECT_EQ(vm::testing::run_dir_entries(), run_dir_before) << "/run/libvirt is not as before the daemon";
}

// The parsing behind the grant, without a daemon: a capabilities excerpt as libvirt 9.0
// writes it (an SELinux or AppArmor model may come first).
TEST(DaemonQemuUser, ReadsTheDacBaselabelOfTheDomainType) {
  const std::string caps =
      "<capabilities><host><secmodel><model>apparmor</model><doi>0</doi></secmodel>"
      "<secmodel><model>dac</model><doi>0</doi><baselabel type='kvm'>+64055:+108</baselabel>"
      "<baselabel type='qemu'>+999:+994</baselabel></secmodel></host></capabilities>";
  EXPECT_EQ(vm::dac_baselabel(caps, "qemu"), "+999:+994");
  EXPECT_EQ(vm::dac_baselabel(caps, "kvm"), "+64055:+108");
  EXPECT_EQ(vm::dac_baselabel(caps, "xen"), std::nullopt);
  EXPECT_EQ(vm::dac_baselabel("<capabilities><secmodel><model>none</model></secmodel></capabilities>", "qemu"),
            std::nullopt);
  auto user = vm::parse_dac_label("+999:+994");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->uid, 999u);
  EXPECT_EQ(user->gid, 994u);
  EXPECT_FALSE(vm::parse_dac_label("libvirt-qemu:kvm"));
  EXPECT_FALSE(vm::parse_dac_label("+999"));
}

TEST(DaemonQemuUser, ReadWriteAccessFollowsTheModeBitsOfOwnerGroupOrOthers) {
  std::string path = (std::filesystem::temp_directory_path() / "isobench-test-access.XXXXXX").string();
  int fd = ::mkstemp(path.data());
  ASSERT_GE(fd, 0);
  ::close(fd);
  const vm::QemuUser stranger{54321, 54321};  // no passwd entry: its own group only
  ::chmod(path.c_str(), 0600);
  EXPECT_FALSE(vm::user_may_read_write(path, stranger));
  EXPECT_TRUE(vm::user_may_read_write(path, vm::QemuUser{0, 0}));
  ::chmod(path.c_str(), 0604);
  EXPECT_FALSE(vm::user_may_read_write(path, stranger)) << "read-only for others";
  ::chmod(path.c_str(), 0606);
  EXPECT_TRUE(vm::user_may_read_write(path, stranger));
  EXPECT_FALSE(vm::user_may_read_write("/nonexistent/isobench", stranger));
  std::filesystem::remove(path);
}

TEST(DaemonQemuUser, OnlyAUriWithoutAHostIsLocal) {
  EXPECT_TRUE(vm::is_local_uri("qemu:///system"));
  EXPECT_TRUE(vm::is_local_uri("qemu+unix:///system?socket=/tmp/x/sock"));
  EXPECT_FALSE(vm::is_local_uri("qemu+ssh://lab1/system"));
  EXPECT_FALSE(vm::is_local_uri("qemu+tls://user@lab1:16514/system"));
  EXPECT_FALSE(vm::is_local_uri("not a uri"));
}

}  // namespace
}  // namespace isobench
