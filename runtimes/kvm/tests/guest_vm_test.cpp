// The VMM against the real /dev/kvm: its 64-bit guest runs the workload's kernels and
// computes what the host computes, in both page sizes; exits come back; a broken guest
// or one that never exits is a clear error within the watchdog; 1,000 VM lives leave the
// fd count and RSS flat. Skipped where there is no usable KVM. The guest runs in the mode
// the host's KVM runs natively (user under PVM, kernel under hardware KVM); the kernel-
// mode tests run where that is hardware KVM (scripts/test-kvm-nested-svm gives one).
#include <dirent.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

#include <gtest/gtest.h>

#include "bench/kernels/kernels.h"
#include "kvm/guest_kernels.hpp"
#include "kvm/hypervisor_facts.hpp"
#include "kvm/primitives.hpp"

namespace isobench::kvm {
namespace {

class GuestVmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto system = KvmSystem::open(kDefaultDevice);
    if (!system) GTEST_SKIP() << "no usable KVM: " << system.error().describe();
    system_.emplace(std::move(*system));
    mode_ = read_hypervisor_facts().native_guest_mode();
  }

  GuestVm make_vm(GuestVmConfig config) {
    BirthTimes times;
    auto vm = GuestVm::create(*system_, config, times);
    EXPECT_TRUE(vm) << vm.error().describe();
    if (!vm) std::abort();
    auto first = vm->run_to_first_exit(times);
    EXPECT_TRUE(first) << first.error().describe();
    return std::move(*vm);
  }
  GuestVm make_vm(std::uint64_t heap_bytes = 0, GuestPages pages = GuestPages::k2MiB) {
    return make_vm({.heap_bytes = heap_bytes, .pages = pages, .mode = mode_});
  }

  std::optional<KvmSystem> system_;
  GuestMode mode_ = GuestMode::kUser;
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

TEST_F(GuestVmTest, LifecycleStepsArePositiveAndAddUp) {
  auto sample = measure_lifecycle(*system_, mode_);
  ASSERT_TRUE(sample) << sample.error().describe();
  const BirthTimes& birth = sample->birth;
  EXPECT_GT(birth.vm_create_ns, 0);
  EXPECT_GT(birth.memory_slot_ns, 0);
  EXPECT_GT(birth.vcpu_create_ns, 0);
  EXPECT_GT(birth.first_exit_ns, 0);
  EXPECT_GT(sample->vm_destroy_ns, 0);
  EXPECT_GT(birth.create_to_first_exit_ns(), birth.vm_create_ns + birth.vcpu_create_ns);
}

TEST_F(GuestVmTest, TheGuestHashesToTheHostsDigest) {
  GuestVm vm = make_vm(hash_heap_bytes());
  auto guest = guest_hash(vm, 20);
  ASSERT_TRUE(guest) << guest.error().describe();
  auto host = host_hash(20);
  ASSERT_TRUE(host);
  EXPECT_EQ(guest->digest, host->digest);
  // The workload's `cpu 20` prints this digest (bench/workload/tests check it there).
  EXPECT_EQ(guest->digest, 0xca6bfac511c2ea79ull);
  EXPECT_EQ(guest->ops, 20 * kHashWords);
  EXPECT_GT(guest->ns, 0);
}

TEST_F(GuestVmTest, MemoryKernelsAgreeWithTheHostInBothPageSizes) {
  constexpr std::uint64_t kBytes = 8 << 20;
  auto host_chase_run = host_chase(kBytes, HostPages::kDefault);
  auto host_random_run = host_random(kBytes, HostPages::kDefault);
  ASSERT_TRUE(host_chase_run && host_random_run);
  for (GuestPages pages : {GuestPages::k4KiB, GuestPages::k2MiB}) {
    SCOPED_TRACE(to_string(pages));
    GuestVm vm = make_vm(triad_heap_bytes(kBytes) + chase_heap_bytes(kBytes), pages);
    auto triad = guest_triad(vm, kBytes);
    ASSERT_TRUE(triad) << triad.error().describe();
    EXPECT_TRUE(triad->valid);
    EXPECT_GT(triad->median_ns, 0);
    EXPECT_GE(triad->median_ns, triad->best_ns);
    auto chase = guest_chase(vm, kBytes);
    ASSERT_TRUE(chase) << chase.error().describe();
    EXPECT_EQ(chase->end_line, host_chase_run->end_line);
    EXPECT_EQ(chase->hops, host_chase_run->hops);
    auto random = guest_random(vm, kBytes);
    ASSERT_TRUE(random) << random.error().describe();
    EXPECT_EQ(random->digest, host_random_run->digest);
    EXPECT_EQ(random->updates, host_random_run->updates);
  }
}

TEST_F(GuestVmTest, FirstTouchWritesEveryPage) {
  constexpr std::uint64_t kBytes = 16 << 20;
  GuestVm vm = make_vm(kBytes, GuestPages::k4KiB);
  auto touch = guest_first_touch(vm, kBytes, kPage4K);
  ASSERT_TRUE(touch) << touch.error().describe();
  EXPECT_EQ(touch->pages, kBytes / kPage4K);
  // The guest's writes are in the host's view of its memory.
  EXPECT_EQ(*vm.host_pointer<std::uint8_t>(vm.heap_base() + kBytes - kPage4K), 1);
}

TEST_F(GuestVmTest, AKernelTooBigForTheHeapIsRefusedBeforeTheGuestRuns) {
  GuestVm vm = make_vm(2 << 20);
  auto random = guest_random(vm, 64 << 20);
  ASSERT_FALSE(random);
  EXPECT_NE(random.error().describe().find("bytes of guest heap"), std::string::npos);
}

TEST_F(GuestVmTest, MmioStoresPastGuestRamExitInEveryMode) {
  GuestVm vm = make_vm();
  auto trips = measure_user_exits(vm, UserExit::kMmio, 200);
  ASSERT_TRUE(trips) << trips.error().describe();
  EXPECT_EQ(trips->count, 200u);
  EXPECT_GT(trips->ns_per_exit(), 0);
  // Back in the mailbox loop: the next kernel runs.
  auto compute = measure_compute(vm, 1000, 1);
  EXPECT_TRUE(compute) << compute.error().describe();
}

TEST_F(GuestVmTest, GuestComputesWhatTheHostComputes) {
  GuestVm vm = make_vm();
  auto sample = measure_compute(vm, 100'000, 12345);
  ASSERT_TRUE(sample) << sample.error().describe();
  EXPECT_GT(sample->guest_ns, 0);
  EXPECT_GT(sample->host_ns, 0);
}

TEST_F(GuestVmTest, KernelModeOperationsAreRefusedInUserMode) {
  GuestVm vm = make_vm({.mode = GuestMode::kUser});
  auto port = measure_user_exits(vm, UserExit::kPortIo, 1);
  ASSERT_FALSE(port);
  EXPECT_NE(port.error().describe().find("kernel-mode"), std::string::npos);
  EXPECT_FALSE(measure_kernel_exits(vm, 10));
  EXPECT_FALSE(measure_hlt_exit(vm));
}

TEST_F(GuestVmTest, PortIoCpuidAndHltExitInKernelMode) {
  if (mode_ != GuestMode::kKernel)
    GTEST_SKIP() << "this KVM runs only user mode natively (PVM); kernel mode needs hardware KVM";
  GuestVm vm = make_vm();
  auto port = measure_user_exits(vm, UserExit::kPortIo, 200);
  ASSERT_TRUE(port) << port.error().describe();
  EXPECT_EQ(port->count, 200u);
  auto cpuid = measure_kernel_exits(vm, 2000);
  ASSERT_TRUE(cpuid) << cpuid.error().describe();
  EXPECT_GT(cpuid->ns_per_exit(), 0);
  auto hlt = measure_hlt_exit(vm);
  ASSERT_TRUE(hlt) << hlt.error().describe();
  EXPECT_GT(*hlt, 0);
}

TEST_F(GuestVmTest, ABrokenPageTableIsAClearFailureNotAHang) {
  BirthTimes times;
  auto vm = GuestVm::create(*system_, {.mode = mode_}, times);
  ASSERT_TRUE(vm) << vm.error().describe();
  // No PML4 entry: the first instruction fetch faults, and there is no handler.
  *vm->host_pointer<std::uint64_t>(ISOBENCH_GUEST_PAGE_TABLES) = 0;
  auto call = vm->call(ISOBENCH_OP_REPORT, {}, std::chrono::seconds(10));
  ASSERT_FALSE(call);
  EXPECT_NE(call.error().describe().find("kvm guest running report"), std::string::npos) << call.error().describe();
}

TEST_F(GuestVmTest, AGuestThatNeverExitsIsStoppedByTheWatchdog) {
  GuestVm vm = make_vm();
  auto spin = vm.call(ISOBENCH_OP_SPIN, {}, std::chrono::milliseconds(50));
  ASSERT_FALSE(spin);
  EXPECT_NE(spin.error().describe().find("did not exit within"), std::string::npos) << spin.error().describe();
}

TEST_F(GuestVmTest, AThousandVmLivesLeaveFdsAndRssFlat) {
  // Warm up: the allocator, KVM's per-process state and the page cache settle first.
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(measure_lifecycle(*system_, mode_));
  int fds_before = open_fd_count();
  long rss_before = rss_bytes();
  for (int i = 0; i < 1000; ++i) {
    auto sample = measure_lifecycle(*system_, mode_);
    ASSERT_TRUE(sample) << "cycle " << i << ": " << sample.error().describe();
  }
  EXPECT_EQ(open_fd_count(), fds_before);
  // 1,000 leaked VMs would hold at least their page tables and kvm_run pages (8 MiB).
  EXPECT_LT(rss_bytes() - rss_before, 1l << 20);
}

}  // namespace
}  // namespace isobench::kvm
