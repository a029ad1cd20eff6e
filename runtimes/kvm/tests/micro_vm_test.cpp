// The micro-VMM against the real /dev/kvm: every primitive returns sane values, programs
// can follow one another on one vCPU, a guest that never exits is stopped, and 1,000 VM
// lives leave the fd count and RSS flat. Skipped where there is no usable KVM.
#include <dirent.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "kvm/micro_vm.hpp"
#include "kvm/primitives.hpp"

namespace isobench::kvm {
namespace {

class MicroVmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = KvmSystem::open(kDefaultDevice);
    if (!system) GTEST_SKIP() << "no usable KVM: " << system.error().describe();
    system_.emplace(std::move(*system));
  }

  MicroVm make_vm() {
    BirthTimes times;
    auto vm = MicroVm::create(*system_, times);
    EXPECT_TRUE(vm) << vm.error().describe();
    if (!vm) std::abort();
    return std::move(*vm);
  }

  std::optional<KvmSystem> system_;
};

int open_fd_count() {
  int count = 0;
  DIR* dir = ::opendir("/proc/self/fd");
  while (dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++count;
  ::closedir(dir);
  return count - 1;  // the directory stream's own fd
}

long rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

TEST_F(MicroVmTest, LifecycleStepsArePositiveAndAddUp) {
  auto sample = measure_lifecycle(*system_);
  ASSERT_TRUE(sample) << sample.error().describe();
  const BirthTimes& birth = sample->birth;
  EXPECT_GT(birth.vm_create_ns, 0);
  EXPECT_GT(birth.memory_slot_ns, 0);
  EXPECT_GT(birth.vcpu_create_ns, 0);
  EXPECT_GT(birth.first_exit_ns, 0);
  EXPECT_GT(sample->vm_destroy_ns, 0);
  EXPECT_GT(birth.create_to_first_exit_ns(), birth.vm_create_ns + birth.vcpu_create_ns);
  // Well under a second even on a nested, emulated KVM; a second means something hung.
  EXPECT_LT(birth.create_to_first_exit_ns(), 1'000'000'000);
}

TEST_F(MicroVmTest, PortIoExitsComeBackToTheVmm) {
  MicroVm vm = make_vm();
  auto trips = measure_user_exits(*system_, vm, UserExit::kPortIo, 200);
  ASSERT_TRUE(trips) << trips.error().describe();
  EXPECT_EQ(trips->count, 200u);
  EXPECT_GT(trips->ns_per_exit(), 0);
  EXPECT_EQ(vm.vcpu().state().io.port, kLoopPort);
}

TEST_F(MicroVmTest, MmioWritesPastGuestRamExitAsMmio) {
  MicroVm vm = make_vm();
  auto trips = measure_user_exits(*system_, vm, UserExit::kMmio, 200);
  ASSERT_TRUE(trips) << trips.error().describe();
  EXPECT_GT(trips->ns_per_exit(), 0);
  EXPECT_EQ(vm.vcpu().state().mmio.phys_addr, kMmioAddress);
}

TEST_F(MicroVmTest, CpuidIsAnsweredInTheKernelWithoutComingBackToUs) {
  MicroVm vm = make_vm();
  // One KVM_RUN for 2,000 cpuid: it returns once, at the loop's final `out`.
  auto cpuid = measure_kernel_exits(*system_, vm, 2000);
  ASSERT_TRUE(cpuid) << cpuid.error().describe();
  EXPECT_EQ(cpuid->count, 2000u);
  EXPECT_GT(cpuid->ns_per_exit(), 0);
  EXPECT_EQ(vm.vcpu().state().io.port, kDonePort);
  auto regs = vm.vcpu().registers();
  ASSERT_TRUE(regs);
  EXPECT_EQ(regs->rsi, 0u);  // the guest's counter ran down
}

TEST_F(MicroVmTest, GuestComputesWhatTheHostComputes) {
  MicroVm vm = make_vm();
  auto sample = measure_compute(*system_, vm, 100'000, 12345);
  ASSERT_TRUE(sample) << sample.error().describe();
  EXPECT_GT(sample->guest_ns, 0);
  EXPECT_GT(sample->host_ns, 0);
  EXPECT_GT(sample->guest_to_host(), 0);
}

TEST_F(MicroVmTest, ProgramsFollowOneAnotherOnOneVcpu) {
  MicroVm vm = make_vm();
  // An MMIO exit leaves an instruction half done; the next program must still start
  // where it is told to.
  ASSERT_TRUE(measure_user_exits(*system_, vm, UserExit::kMmio, 3));
  auto port = measure_user_exits(*system_, vm, UserExit::kPortIo, 3);
  EXPECT_TRUE(port) << port.error().describe();
  auto compute = measure_compute(*system_, vm, 1000, 1);
  EXPECT_TRUE(compute) << compute.error().describe();
  auto cpuid = measure_kernel_exits(*system_, vm, 10);
  EXPECT_TRUE(cpuid) << cpuid.error().describe();
}

TEST_F(MicroVmTest, AGuestThatNeverExitsIsStoppedByTheWatchdog) {
  MicroVm vm = make_vm();
  constexpr std::uint16_t kSpin = 0x2000;
  const std::uint8_t spin[] = {0xeb, 0xfe};  // jmp $
  std::memcpy(vm.guest_memory() + kSpin, spin, sizeof spin);
  ASSERT_TRUE(vm.start({"spin", kSpin, spin}, {}));
  ASSERT_TRUE(system_->watchdog().arm(std::chrono::milliseconds(50)));
  ArmedWatchdog disarm(system_->watchdog());
  auto exit = vm.vcpu().run();
  ASSERT_FALSE(exit);
  EXPECT_NE(exit.error().describe().find("did not exit within"), std::string::npos);
}

TEST_F(MicroVmTest, AThousandVmLivesLeaveFdsAndRssFlat) {
  // Warm up: the allocator, KVM's per-process state and the page cache settle first.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(measure_lifecycle(*system_));
  int fds_before = open_fd_count();
  long rss_before = rss_bytes();
  for (int i = 0; i < 1000; ++i) {
    auto sample = measure_lifecycle(*system_);
    ASSERT_TRUE(sample) << "cycle " << i << ": " << sample.error().describe();
  }
  EXPECT_EQ(open_fd_count(), fds_before);
  // 1,000 leaked VMs would hold at least 1,000 guest pages and kvm_run pages (8 MiB).
  EXPECT_LT(rss_bytes() - rss_before, 1l << 20);
}

}  // namespace
}  // namespace isobench::kvm
