// The pieces both guest backends share, tested on their own: the initramfs writer (read
// back by the real cpio tool), the kernel check (on the real cached kernel when there is
// one), the accelerator decision, the kernel command line and the guest's size.
#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "runtimes/common/spawn.hpp"
#include "runtimes/vm/domain_xml.hpp"
#include "runtimes/guest/guest_boot.hpp"
#include "common/tests/temp_dir.hpp"

namespace isobench::guest {
namespace {

using isobench::testing::TempDir;

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::filesystem::path cached_kernel() {
  const char* state = std::getenv("ISOBENCH_STATE_DIR");
  return cached_kernel_path(state && *state ? state : "/var/lib/isobench");
}

TEST(Initramfs, RealCpioListsInitConsoleAndDirectories) {
  auto cpio = find_in_path("cpio");
  if (!cpio) GTEST_SKIP() << "cpio is not installed (scripts/setup installs it)";
  TempDir dir("isobench-guest-test.");
  write_file(dir.path() / "binary", std::string(5000, 'x') + "end");
  auto image = build_initramfs(dir.path() / "binary", dir.path() / "cache");
  ASSERT_TRUE(image) << image.error().describe();
  EXPECT_EQ(image->bytes % 4, 0u);
  auto listing = capture_output({"/bin/sh", "-c", cpio->string() + " -t -v --quiet < " + image->path.string()},
                                Deadline::after(std::chrono::seconds(10)));
  ASSERT_TRUE(listing) << listing.error().describe();
  EXPECT_NE(listing->find("crw-------"), std::string::npos) << *listing;
  EXPECT_NE(listing->find("5,   1"), std::string::npos) << *listing;  // /dev/console
  EXPECT_NE(listing->find("dev/console"), std::string::npos);
  EXPECT_NE(listing->find("-rwxr-xr-x"), std::string::npos);
  EXPECT_NE(listing->find("5003"), std::string::npos) << "init keeps the binary's size: " << *listing;
  EXPECT_NE(listing->find(" init"), std::string::npos);
}

TEST(Initramfs, ReusedForTheSameBinaryAndRebuiltForAnother) {
  TempDir dir("isobench-guest-test.");
  write_file(dir.path() / "binary", "first");
  auto first = build_initramfs(dir.path() / "binary", dir.path());
  ASSERT_TRUE(first) << first.error().describe();
  EXPECT_FALSE(first->reused);
  auto again = build_initramfs(dir.path() / "binary", dir.path());
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->reused);
  EXPECT_EQ(again->path, first->path);
  write_file(dir.path() / "binary", "second");
  auto other = build_initramfs(dir.path() / "binary", dir.path());
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->reused);
  EXPECT_NE(other->path, first->path);
  EXPECT_TRUE(other->path.filename().string().starts_with("isobench-initramfs-"));
}

TEST(Initramfs, MissingBinaryNamesIt) {
  TempDir dir("isobench-guest-test.");
  auto image = build_initramfs(dir.path() / "no-such-binary", dir.path());
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().describe().find("no-such-binary"), std::string::npos);
}

TEST(GuestKernel, MissingKernelSaysHowToFetchOne) {
  auto kernel = validate_kernel("/nonexistent/isobench-vmlinuz");
  ASSERT_FALSE(kernel);
  EXPECT_NE(kernel.error().describe().find("`/nonexistent/isobench-vmlinuz` not found"), std::string::npos);
  EXPECT_NE(kernel.error().describe().find("scripts/fetch-guest-kernel"), std::string::npos);
}

TEST(GuestKernel, TextFileIsNotABzImage) {
  TempDir dir("isobench-guest-test.");
  write_file(dir.path() / "vmlinuz", std::string(8192, 'k'));
  auto kernel = validate_kernel(dir.path() / "vmlinuz");
  ASSERT_FALSE(kernel);
  EXPECT_NE(kernel.error().describe().find("not a Linux bzImage"), std::string::npos) << kernel.error().describe();
}

TEST(GuestKernel, DirectoryIsRefused) {
  TempDir dir("isobench-guest-test.");
  auto kernel = validate_kernel(dir.path());
  ASSERT_FALSE(kernel);
  EXPECT_NE(kernel.error().describe().find("not a regular file"), std::string::npos);
}

TEST(GuestKernel, RealKernelHasARelease_TruncatedCopyIsRefused) {
  auto path = cached_kernel();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no cached guest kernel at " << path << ": run scripts/fetch-guest-kernel";
  auto kernel = validate_kernel(path);
  ASSERT_TRUE(kernel) << kernel.error().describe();
  EXPECT_NE(kernel->release, "unknown");
  EXPECT_NE(kernel->release.find('.'), std::string::npos) << kernel->release;

  TempDir dir("isobench-guest-test.");
  std::ifstream in(path, std::ios::binary);
  std::string head(256 * 1024, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  write_file(dir.path() / "vmlinuz", head);
  auto truncated = validate_kernel(dir.path() / "vmlinuz");
  ASSERT_FALSE(truncated);
  EXPECT_NE(truncated.error().describe().find("truncated"), std::string::npos) << truncated.error().describe();
}

TEST(Accel, AutoPicksTcgWithoutVmxEvenWhenDevKvmWorks) {
  HostVirt host{"none", "kvm_pvm", true, ""};
  auto choice = choose_accel("auto", host);
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->accel, "tcg");
  EXPECT_EQ(choice->libvirt_domain_type(), "qemu");
  EXPECT_NE(choice->reason.find("vmx/svm"), std::string::npos) << choice->reason;
}

TEST(Accel, AutoPicksKvmWithVmxAndAWorkingDevice) {
  auto choice = choose_accel("auto", HostVirt{"vmx", "kvm_intel", true, ""});
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->accel, "kvm");
  EXPECT_EQ(choice->libvirt_domain_type(), "kvm");
}

TEST(Accel, AutoFallsBackToTcgWhenDevKvmFails) {
  auto choice = choose_accel("auto", HostVirt{"svm", "none", false, "open `/dev/kvm`: No such file or directory"});
  ASSERT_TRUE(choice);
  EXPECT_EQ(choice->accel, "tcg");
  EXPECT_NE(choice->reason.find("/dev/kvm"), std::string::npos);
}

TEST(Accel, ForcedKvmNeedsADevice_ForcedTcgAlwaysWorks) {
  HostVirt none{"none", "none", false, "open `/dev/kvm`: No such file or directory"};
  EXPECT_FALSE(choose_accel("kvm", none));
  auto tcg = choose_accel("tcg", HostVirt{"vmx", "kvm_intel", true, ""});
  ASSERT_TRUE(tcg);
  EXPECT_EQ(tcg->accel, "tcg");
  EXPECT_FALSE(choose_accel("xen", none));
}

TEST(KernelCmdline, CarriesWorkloadAndCommaJoinedArgs_ExtraGoesLast) {
  auto line = kernel_cmdline({"alloc", {"64M", "2"}}, {"panic=0"});
  ASSERT_TRUE(line) << line.error().describe();
  EXPECT_NE(line->find("console=ttyS0"), std::string::npos);
  EXPECT_NE(line->find(" isobench.workload=alloc isobench.args=64M,2"), std::string::npos) << *line;
  EXPECT_TRUE(line->ends_with(" panic=0"));
  auto bare = kernel_cmdline({"noop", {}}, {});
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->find("isobench.args"), std::string::npos);
}

TEST(KernelCmdline, RefusesWhatTheCommandLineCannotCarry) {
  for (std::string arg : {"a,b", "two words", "", "quote\"d"}) {
    auto line = kernel_cmdline({"checksum", {arg}}, {});
    EXPECT_FALSE(line) << "accepted `" << arg << "`";
  }
}

TEST(GuestSize, FromLimits) {
  auto defaults = guest_size({});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->memory_mib, 256u);
  EXPECT_EQ(defaults->vcpus, 1u);
  Limits limits;
  limits.memory_bytes = 512ull << 20;
  limits.cpus = 1.5;
  auto sized = guest_size(limits);
  ASSERT_TRUE(sized);
  EXPECT_EQ(sized->memory_mib, 512u);
  EXPECT_EQ(sized->vcpus, 2u);
  EXPECT_FALSE(guest_size(Limits{16ull << 20, std::nullopt, std::nullopt}));
  EXPECT_FALSE(guest_size(Limits{std::nullopt, std::nullopt, 32}));
}

TEST(GuestFailure, ResultOkIsSuccess_OkFalseAndNoResultAreFailures) {
  EXPECT_EQ(guest_failure(R"({"isobench":"result","workload":"noop","ok":true,"data":{}})", ""), "");
  EXPECT_NE(guest_failure(R"({"isobench":"result","ok":false,"error":"boom"})", "").find("boom"), std::string::npos);
  EXPECT_NE(guest_failure("", "Kernel panic").find("Kernel panic"), std::string::npos);
}

TEST(DomainXml, FillsAndEscapesEveryPlaceholder) {
  auto xml = vm::fill_template("<a x='{{p}}'>{{q}}</a>", {{"p", "it's"}, {"q", "a<b&c"}});
  ASSERT_TRUE(xml);
  EXPECT_EQ(*xml, "<a x='it&apos;s'>a&lt;b&amp;c</a>");
  EXPECT_FALSE(vm::fill_template("{{missing}}", {}));
}

TEST(DomainXml, EmbeddedTemplateHasNoUnfilledPlaceholderLeft) {
  std::map<std::string, std::string> values;
  for (const char* key :
       {"domain_type", "name", "memory_mib", "vcpus", "kernel", "initrd", "cmdline", "emulator", "console", "machine"})
    values[key] = "X";
  auto xml = vm::fill_template(vm::domain_template(), values);
  ASSERT_TRUE(xml) << xml.error().describe();
  EXPECT_EQ(xml->find("{{"), std::string::npos);
  EXPECT_NE(xml->find("<memballoon model='none'/>"), std::string::npos);
  EXPECT_NE(xml->find("<serial type='pipe'>"), std::string::npos);
}

}  // namespace
}  // namespace isobench::guest
