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
  timespec ts{ms / 1000, (ms % 1000) * 1'000'000};
  while (::nanosleep(&ts, &ts) != 0) {
  }
}

std::int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1'000'000;
}

// Waits for the watchdog's signal to have arrived, however late a loaded host delivers
// it; false after 30 s.
bool fired_eventually() {
  for (std::int64_t give_up = now_ms() + 30'000; !RunWatchdog::fired(); sleep_ms(1))
    if (now_ms() > give_up) return false;
  return true;
}

TEST(RunWatchdog, FiresAfterItsLimitAndKicksTheRunningVcpu) {
  auto watchdog = RunWatchdog::create();
  ASSERT_TRUE(watchdog) << watchdog.error().describe();
  kvm_run run{};
  ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(5)));
  EXPECT_FALSE(RunWatchdog::enter_run(&run));
  EXPECT_TRUE(fired_eventually());
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
  // "In time" is checked, not assumed: a try where arming to disarming took half the
  // limit (a preempted test on a loaded host) proves nothing and is repeated.
  constexpr long kLimitMs = 100;
  bool in_time = false;
  for (int attempt = 0; attempt < 20 && !in_time; ++attempt) {
    std::int64_t armed_at = now_ms();
    ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(kLimitMs)));
    EXPECT_FALSE(RunWatchdog::enter_run(&run));
    watchdog->disarm();
    in_time = now_ms() - armed_at < kLimitMs / 2 && !RunWatchdog::fired();
    RunWatchdog::forget_run(&run);
    run = {};
  }
  if (!in_time) GTEST_SKIP() << "never disarmed within half the limit: the host is too loaded to tell";
  EXPECT_FALSE(RunWatchdog::enter_run(&run));
  // Past the limit twice over: a timer left armed would have fired by now.
  sleep_ms(2 * kLimitMs);
  EXPECT_FALSE(RunWatchdog::fired());
  EXPECT_EQ(run.immediate_exit, 0);
  RunWatchdog::forget_run(&run);
}

TEST(RunWatchdog, ReArmingClearsAnEarlierExpiry) {
  auto watchdog = RunWatchdog::create();
  ASSERT_TRUE(watchdog);
  ASSERT_TRUE(watchdog->arm(std::chrono::milliseconds(1)));
  ASSERT_TRUE(fired_eventually());
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
