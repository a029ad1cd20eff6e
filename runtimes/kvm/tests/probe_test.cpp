// The probe's verdicts on hosts without a usable /dev/kvm, with the device path and the
// /sys/module and /proc/cpuinfo views injected; plus the real device where there is one.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kvm/hypervisor_facts.hpp"
#include "kvm/kvm_backend.hpp"
#include "kvm/kvm_system.hpp"

namespace isobench::kvm {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// A fake host view: /sys/module with the given module dirs, a cpuinfo with the given flags.
class FakeHost {
 public:
  FakeHost(std::initializer_list<const char*> modules, const std::string& flags) {
    char templ[] = "/tmp/isobench-kvm-test-XXXXXX";
    root_ = ::mkdtemp(templ);
    fs::create_directories(root_ / "module");
    for (const char* module : modules) fs::create_directories(root_ / "module" / module / "parameters");
    std::ofstream(root_ / "cpuinfo") << "processor\t: 0\nflags\t\t: fpu " << flags << " sse2\n\n";
  }
  ~FakeHost() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  fs::path sys_module() const { return root_ / "module"; }
  fs::path cpuinfo() const { return root_ / "cpuinfo"; }
  fs::path root() const { return root_; }

 private:
  fs::path root_;
};

TEST(HypervisorFacts, PvmWithoutVmxOrSvmIsRecordedAsNestedParavirtual) {
  FakeHost host({"kvm", "kvm_pvm"}, "hypervisor avx2");
  HypervisorFacts facts = read_hypervisor_facts(host.sys_module(), host.cpuinfo());
  EXPECT_EQ(facts.module, "kvm_pvm");
  EXPECT_EQ(facts.cpu_flag, "none");
  EXPECT_TRUE(facts.host_is_guest);
  EXPECT_THAT(facts.describe(), HasSubstr("paravirtual"));
  EXPECT_THAT(facts.describe(), HasSubstr("no vmx/svm"));
  EXPECT_THAT(facts.describe(), HasSubstr("nested"));
}

TEST(HypervisorFacts, HardwareKvmOnBareMetal) {
  FakeHost host({"kvm", "kvm_intel"}, "vmx ept");
  HypervisorFacts facts = read_hypervisor_facts(host.sys_module(), host.cpuinfo());
  EXPECT_EQ(facts.module, "kvm_intel");
  EXPECT_EQ(facts.cpu_flag, "vmx");
  EXPECT_FALSE(facts.host_is_guest);
  EXPECT_THAT(facts.describe(), HasSubstr("hardware KVM"));
}

TEST(HypervisorFacts, FlagsMatchWholeWordsOnly) {
  FakeHost host({}, "svmx notvmx");
  HypervisorFacts facts = read_hypervisor_facts(host.sys_module(), host.cpuinfo());
  EXPECT_EQ(facts.module, "none");
  EXPECT_EQ(facts.cpu_flag, "none");
}

TEST(KvmProbe, MissingDeviceIsUnavailableNamingThePath) {
  FakeHost host({"kvm"}, "svm");
  fs::path device = host.root() / "kvm";
  KvmProbe probe = probe_kvm(device, read_hypervisor_facts(host.sys_module(), host.cpuinfo()));
  EXPECT_FALSE(probe.availability.available);
  EXPECT_FALSE(probe.api_version);
  EXPECT_THAT(probe.availability.reason, HasSubstr(in_quotes(device.string())));
  EXPECT_THAT(probe.availability.reason, HasSubstr("No such file or directory"));
  EXPECT_THAT(probe.availability.reason, HasSubstr("kvm_amd"));
}

TEST(KvmProbe, MissingDeviceOnAPvmGuestSaysWhy) {
  FakeHost host({"kvm", "kvm_pvm"}, "hypervisor");
  KvmProbe probe = probe_kvm(host.root() / "kvm", read_hypervisor_facts(host.sys_module(), host.cpuinfo()));
  EXPECT_FALSE(probe.availability.available);
  EXPECT_THAT(probe.availability.reason, HasSubstr("kvm_pvm"));
}

TEST(KvmProbe, MissingDeviceWithoutVmxOrSvmPointsAtTheFirmware) {
  FakeHost host({}, "sse");
  KvmProbe probe = probe_kvm(host.root() / "kvm", read_hypervisor_facts(host.sys_module(), host.cpuinfo()));
  EXPECT_THAT(probe.availability.reason, HasSubstr("no vmx/svm"));
}

TEST(KvmProbe, AFileThatIsNotKvmFailsAtTheApiVersion) {
  KvmProbe probe = probe_kvm("/dev/null", {});
  EXPECT_FALSE(probe.availability.available);
  EXPECT_THAT(probe.availability.reason, HasSubstr("KVM_GET_API_VERSION on `/dev/null`"));
  EXPECT_THAT(probe.availability.reason, HasSubstr("not a KVM device"));
}

TEST(KvmProbe, ADeviceNodeWithNoDriverBehindIt) {
  if (::access("/dev/kvm", F_OK) == 0) GTEST_SKIP() << "/dev/kvm exists here: KVM's misc minor has a driver";
  if (::geteuid() != 0) GTEST_SKIP() << "mknod needs root";
  FakeHost host({}, "");
  fs::path node = host.root() / "kvm";
  // KVM's fixed misc device number (major 10, minor 232).
  ASSERT_EQ(::mknod(node.c_str(), S_IFCHR | 0600, ::makedev(10, 232)), 0) << std::strerror(errno);
  KvmProbe probe = probe_kvm(node, {});
  EXPECT_FALSE(probe.availability.available);
  EXPECT_THAT(probe.availability.reason, HasSubstr("no KVM driver is bound"));
}

TEST(KvmProbe, OnlyApiVersion12IsSpoken) {
  EXPECT_TRUE(check_api_version(12, "/dev/kvm"));
  auto old = check_api_version(11, "/dev/kvm");
  ASSERT_FALSE(old);
  EXPECT_THAT(old.error().describe(), HasSubstr("returned 11"));
  EXPECT_THAT(old.error().describe(), HasSubstr("version 12"));
}

TEST(KvmBackend, RunsNoWorkloadAndSaysSo) {
  FakeHost host({"kvm_pvm"}, "hypervisor");
  KvmBackend backend(host.root() / "kvm", host.sys_module(), host.cpuinfo());
  EXPECT_EQ(backend.name(), "kvm");
  EXPECT_FALSE(backend.runs_workloads());
  LaunchOptions options;
  options.workload = {"noop", {}};
  auto instance = backend.launch(options);
  ASSERT_FALSE(instance);
  EXPECT_THAT(instance.error().describe(), HasSubstr("runs no workload"));
}

TEST(KvmBackend, UnavailableBackendReportsTheHypervisorInDoctorAndManifest) {
  FakeHost host({"kvm_pvm"}, "hypervisor");
  KvmBackend backend(host.root() / "kvm", host.sys_module(), host.cpuinfo());
  Availability availability = backend.probe();
  EXPECT_FALSE(availability.available);
  auto manifest = backend.manifest();
  EXPECT_EQ(manifest["kvm_module"], "kvm_pvm");
  EXPECT_EQ(manifest["cpu_virtualization_flag"], "none");
  EXPECT_EQ(manifest["nested"], "yes");
  EXPECT_FALSE(manifest.contains("kvm_api_version"));
  auto checks = backend.doctor();
  ASSERT_FALSE(checks.empty());
  bool device_failed = false;
  for (const auto& check : checks)
    if (check.name == "device") device_failed = !check.ok && check.detail == availability.reason;
  EXPECT_TRUE(device_failed);
}

TEST(KvmBackend, TheRealDeviceRunsAGuest) {
  if (::access(kDefaultDevice, F_OK) != 0) GTEST_SKIP() << "no /dev/kvm on this host";
  KvmBackend backend(kDefaultDevice);
  Availability availability = backend.probe();
  EXPECT_TRUE(availability.available) << availability.reason;
  EXPECT_EQ(backend.manifest()["kvm_api_version"], "12");
}

}  // namespace
}  // namespace isobench::kvm
