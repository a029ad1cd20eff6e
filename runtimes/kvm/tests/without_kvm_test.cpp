// Pieces of the micro-VMM that run without KVM: the KVM_RUN watchdog's timer and signal,
// the guest memory mapping, the guest code's layout, the host side of the compute loop
// and the loop-count calibration.
#include <linux/kvm.h>
#include <time.h>

#include <cstring>
#include <vector>

#include <gtest/gtest.h>

#include "kvm/guest_code.hpp"
#include "kvm/mapped_region.hpp"
#include "kvm/primitives.hpp"
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

TEST(GuestCode, ProgramsFitInGuestMemoryWithoutOverlapping) {
  auto programs = all_programs();
  ASSERT_EQ(programs.size(), 5u);
  for (std::size_t i = 0; i < programs.size(); ++i) {
    const GuestProgram& a = *programs[i];
    EXPECT_LE(a.entry + a.code.size(), kGuestMemoryBytes) << a.name;
    for (std::size_t j = i + 1; j < programs.size(); ++j) {
      const GuestProgram& b = *programs[j];
      bool apart = a.entry + a.code.size() <= b.entry || b.entry + b.code.size() <= a.entry;
      EXPECT_TRUE(apart) << a.name << " overlaps " << b.name;
    }
  }
  // The MMIO address is outside guest memory, so accesses there exit.
  EXPECT_TRUE(kMmioAddress < kGuestMemoryBase || kMmioAddress >= kGuestMemoryBase + kGuestMemoryBytes);
  // The reset vector (CS base 0xffff0000, IP 0xfff0) lands on reset_vector's code.
  EXPECT_EQ(kGuestMemoryBase + reset_vector().entry, 0xfffffff0u);
  EXPECT_EQ(reset_vector().code[0], 0xe6);  // out imm8, al
}

TEST(GuestCode, HostComputeLoopIsTheLinearCongruence) {
  std::uint32_t expected = 7;
  for (int i = 0; i < 1000; ++i) expected = expected * 1103515245u + 12345u;
  EXPECT_EQ(host_compute_loop(7, 1000), expected);
  EXPECT_EQ(host_compute_loop(1, 1), 1103527590u);
  EXPECT_EQ(host_compute_loop(5, 0), 5u);
}

TEST(CalibrateCount, ScalesACountToTheTargetDuration) {
  // A loop costing 1 us per iteration, 5 ms wanted: about 5,000 iterations.
  std::vector<std::uint32_t> tried;
  auto count = calibrate_count(
      [&](std::uint32_t n) -> Result<std::int64_t> {
        tried.push_back(n);
        return std::int64_t{n} * 1000;
      },
      std::chrono::milliseconds(5));
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 5000u);
  // A warm-up run, then factors of 8 until a run took at least an eighth of the target.
  EXPECT_EQ(tried, (std::vector<std::uint32_t>{16, 16, 128, 1024}));
}

TEST(CalibrateCount, NeverGoesBelowTheMinimum) {
  auto count = calibrate_count([](std::uint32_t n) -> Result<std::int64_t> { return std::int64_t{n} * 1'000'000; },
                               std::chrono::milliseconds(5), 1000);
  ASSERT_TRUE(count);
  EXPECT_EQ(*count, 1000u);
}

TEST(CalibrateCount, PassesAMeasurementErrorOn) {
  auto count = calibrate_count([](std::uint32_t) -> Result<std::int64_t> { return fail("guest broke"); },
                               std::chrono::milliseconds(5));
  ASSERT_FALSE(count);
  EXPECT_EQ(count.error().describe(), "guest broke");
}

}  // namespace
}  // namespace isobench::kvm
