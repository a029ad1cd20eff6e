// Pieces of the micro-VMM that run without KVM: the KVM_RUN watchdog's timer and signal,
// the guest memory mapping, and the host side of the compute loop.
#include <linux/kvm.h>
#include <time.h>

#include <cstring>

#include <gtest/gtest.h>

#include "kvm/guest_code.hpp"
#include "kvm/mapped_region.hpp"
#include "kvm/run_watchdog.hpp"

namespace isobench::kvm {
namespace {

void sleep_ms(long ms) {
  timespec ts{0, ms * 1'000'000};
  while (::nanosleep(&ts, &ts) != 0) {
  }
}

TEST(RunWatchdog, FiresAfterItsLimitAndKicksTheRunningVcpu) {
  auto watchdog = RunWatchdog::create();
  ASSERT_TRUE(watchdog) << watchdog.error().describe();
  kvm_run run{};
  ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(5)));
  EXPECT_FALSE(RunWatchdog::enter_run(&run));
  sleep_ms(50);
  EXPECT_TRUE(RunWatchdog::fired());
  // KVM_RUN entered after this point returns EINTR at once.
  EXPECT_EQ(run.immediate_exit, 1);
  EXPECT_TRUE(RunWatchdog::enter_run(&run));
  watchdog->disarm();
  RunWatchdog::forget_run(&run);
}

TEST(RunWatchdog, DisarmedInTimeDoesNotFire) {
  auto watchdog = RunWatchdog::create();
  ASSERT_TRUE(watchdog);
  kvm_run run{};
  ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(30)));
  EXPECT_FALSE(RunWatchdog::enter_run(&run));
  watchdog->disarm();
  sleep_ms(60);
  EXPECT_FALSE(RunWatchdog::fired());
  EXPECT_EQ(run.immediate_exit, 0);
  RunWatchdog::forget_run(&run);
}

TEST(RunWatchdog, ReArmingClearsAnEarlierExpiry) {
  auto watchdog = RunWatchdog::create();
  ASSERT_TRUE(watchdog);
  ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(1)));
  sleep_ms(20);
  ASSERT_TRUE(RunWatchdog::fired());
  ASSERT_TRUE(watchdog->arm(std::chrono::seconds(10)));
  EXPECT_FALSE(RunWatchdog::fired());
  watchdog->disarm();
}

TEST(MappedRegion, AnonymousMemoryIsZeroedWritableAndMovable) {
  auto region = MappedRegion::anonymous(kGuestMemoryBytes, "guest memory");
  ASSERT_TRUE(region) << region.error().describe();
  EXPECT_EQ(region->size(), kGuestMemoryBytes);
  EXPECT_EQ(region->bytes()[100], std::byte{0});
  region->bytes()[100] = std::byte{42};
  MappedRegion moved = std::move(*region);
  EXPECT_FALSE(*region);
  EXPECT_EQ(moved.bytes()[100], std::byte{42});
  moved.reset();
  EXPECT_FALSE(moved);
}

TEST(MappedRegion, FailureNamesWhatWasMapped) {
  auto region = MappedRegion::anonymous(std::size_t{1} << 62, "guest memory");
  ASSERT_FALSE(region);
  EXPECT_NE(region.error().describe().find("guest memory"), std::string::npos);
  EXPECT_NE(region.error().errno_value, 0);
}

TEST(GuestCode, ProgramsFitBelowTheMmioHoleWithoutOverlapping) {
  auto programs = all_programs();
  ASSERT_EQ(programs.size(), 4u);
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const GuestProgram& a = *programs[i];
    EXPECT_LE(a.entry + a.code.size(), kGuestMemoryBytes) << a.name;
    for (std::size_t j = i + 1; j < programs.size(); ++j) {
      const GuestProgram& b = *programs[j];
      bool apart = a.entry + a.code.size() <= b.entry || b.entry + b.code.size() <= a.entry;
      EXPECT_TRUE(apart) << a.name << " overlaps " << b.name;
    }
  }
  EXPECT_GE(kMmioAddress, kGuestMemoryBytes);
}

TEST(GuestCode, HostComputeLoopIsTheLinearCongruence) {
  std::uint32_t expected = 7;
  for (int i = 0; i < 1000; ++i) expected = expected * 1103515245u + 12345u;
  EXPECT_EQ(host_compute_loop(7, 1000), expected);
  EXPECT_EQ(host_compute_loop(1, 1), 1103527590u);
  EXPECT_EQ(host_compute_loop(5, 0), 5u);
}

}  // namespace
}  // namespace isobench::kvm
