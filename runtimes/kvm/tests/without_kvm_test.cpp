// Pieces of the VMM that run without KVM: the KVM_RUN watchdog's timer and signal, the
// guest memory mapping, the embedded guest image and the ELF loader, the page tables the
// VMM builds (walked here as the CPU would), the host side of the compute loop and the
// loop-count calibration.
#include <elf.h>
#include <linux/kvm.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "bench/kernels/kernels.h"
#include "kvm/elf_image.hpp"
#include "kvm/guest_image.hpp"
#include "kvm/guest_memory.hpp"
#include "kvm/guest_vm.hpp"
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
  auto region = MappedRegion::anonymous(1 << 16, "guest memory");
  ASSERT_TRUE(region) << region.error().describe();
  EXPECT_EQ(region->size(), 1u << 16);
  EXPECT_EQ(region->bytes()[100], std::byte{0});
  region->bytes()[100] = std::byte{42};
  MappedRegion moved = std::move(*region);
  EXPECT_FALSE(*region);
  EXPECT_EQ(moved.bytes()[100], std::byte{42});
  moved.reset();
  EXPECT_FALSE(moved);
}

// bench forks for every container it starts; guest memory must not be copied into those
// children (mapped_region.hpp says what it cost). A forked child finds the populated
// region absent from its own address space: mincore(2) on it fails with ENOMEM there.
TEST(MappedRegion, AnonymousMemoryIsNotCopiedIntoAForkedChild) {
  constexpr std::size_t kBytes = std::size_t{8} << 20;
  auto region = MappedRegion::anonymous(kBytes, "guest memory");
  ASSERT_TRUE(region) << region.error().describe();
  std::memset(region->get(), 0x5a, kBytes);
  unsigned char resident[kBytes / 4096];
  ASSERT_EQ(::mincore(region->get(), kBytes, resident), 0) << std::strerror(errno);
  pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    bool absent = ::mincore(region->get(), kBytes, resident) != 0 && errno == ENOMEM;
    ::_exit(absent ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the forked child still had the guest memory mapped";
}

TEST(MappedRegion, FailureNamesWhatWasMapped) {
  auto region = MappedRegion::anonymous(std::size_t{1} << 62, "guest memory");
  ASSERT_FALSE(region);
  EXPECT_NE(region.error().describe().find("guest memory"), std::string::npos);
  EXPECT_NE(region.error().errno_value, 0);
}

TEST(GuestImage, TheEmbeddedGuestIsAStaticElfLinkedAtGuestRam) {
  auto image = guest_image();
  ASSERT_TRUE(image) << image.error().describe();
  EXPECT_EQ((*image)->entry, ISOBENCH_GUEST_RAM_BASE);
  EXPECT_GE((*image)->lowest_vaddr(), ISOBENCH_GUEST_RAM_BASE);
  // A few KiB of code: the guest is the kernels and a mailbox loop, nothing else.
  EXPECT_LT((*image)->end_vaddr() - ISOBENCH_GUEST_RAM_BASE, 1u << 20);
}

TEST(ElfImage, RejectsWhatIsNotAStaticX86Executable) {
  std::vector<std::byte> junk(100, std::byte{0});
  auto not_elf = parse_elf(junk, "junk");
  ASSERT_FALSE(not_elf);
  EXPECT_EQ(not_elf.error().describe(), "junk: not an ELF file");
  auto too_short = parse_elf(std::span<const std::byte>(junk).first(10), "tiny");
  ASSERT_FALSE(too_short);
  EXPECT_NE(too_short.error().describe().find("too short"), std::string::npos);
  // The guest image with its type changed to ET_DYN (a PIE) is refused.
  auto guest = embedded_guest_elf();
  std::vector<std::byte> pie(guest.begin(), guest.end());
  pie[16] = std::byte{ET_DYN};
  auto refused = parse_elf(pie, "a PIE");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().describe().find("static executable"), std::string::npos) << refused.error().describe();
  // And with x86-64 replaced by another machine.
  std::vector<std::byte> arm(guest.begin(), guest.end());
  arm[18] = std::byte{EM_AARCH64};
  EXPECT_FALSE(parse_elf(arm, "an arm64 binary"));
}

TEST(ElfImage, LoadingOutsideGuestMemoryFails) {
  auto image = guest_image();
  ASSERT_TRUE(image);
  std::vector<std::byte> memory(1 << 20);
  // Memory that starts past the image's address.
  auto loaded = load_elf(**image, memory.data(), ISOBENCH_GUEST_RAM_BASE + 0x1000, memory.size());
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().describe().find("outside guest memory"), std::string::npos);
}

// Walks the VMM's page tables as the CPU does (4 levels, 2 MiB leaves in the directory);
// returns the physical address, or nullopt where a level is not present or not user.
std::optional<std::uint64_t> translate(const GuestMemory& memory, std::uint64_t va) {
  auto entry = [&](std::uint64_t table, std::uint64_t index) {
    return reinterpret_cast<const std::uint64_t*>(memory.at(table & ~0xfffull & ((1ull << 52) - 1)))[index];
  };
  std::uint64_t e = entry(memory.cr3(), (va >> 39) & 511);
  if ((e & 5) != 5) return std::nullopt;
  e = entry(e, (va >> 30) & 511);
  if ((e & 5) != 5) return std::nullopt;
  e = entry(e, (va >> 21) & 511);
  if ((e & 5) != 5) return std::nullopt;
  if (e & 0x80) return (e & ~0x1fffffull & ((1ull << 52) - 1)) | (va & 0x1fffff);
  e = entry(e, (va >> 12) & 511);
  if ((e & 5) != 5) return std::nullopt;
  return (e & ~0xfffull & ((1ull << 52) - 1)) | (va & 0xfff);
}

TEST(GuestMemory, PageTablesMapEverythingTheGuestUsesOneToOne) {
  auto image = guest_image();
  ASSERT_TRUE(image);
  for (GuestPages pages : {GuestPages::k4KiB, GuestPages::k2MiB}) {
    SCOPED_TRACE(to_string(pages));
    auto memory = GuestMemory::create(**image, 64 << 20, pages, HostPages::kDefault);
    ASSERT_TRUE(memory) << memory.error().describe();
    const GuestMemoryLayout& layout = memory->layout();
    EXPECT_EQ(layout.heap_base % kPage2M, 0u);
    EXPECT_GE(layout.heap_bytes, 64u << 20);
    EXPECT_GE(layout.total_bytes, layout.heap_base + layout.heap_bytes);
    for (std::uint64_t va : std::initializer_list<std::uint64_t>{ISOBENCH_GUEST_MAILBOX, ISOBENCH_GUEST_STACK_TOP - 8, ISOBENCH_GUEST_REPORT,
                             ISOBENCH_GUEST_MMIO_LOOP, (*image)->entry, layout.heap_base,
                             layout.heap_base + 12345, layout.heap_base + layout.heap_bytes - 1})
      EXPECT_EQ(translate(*memory, va), va) << std::hex << va;
    // Past the heap nothing is mapped: a stray access faults instead of writing tables.
    EXPECT_EQ(translate(*memory, layout.heap_base + layout.heap_bytes), std::nullopt);
    // The image was loaded where it is linked.
    EXPECT_EQ(std::memcmp(memory->at((*image)->entry), (*image)->bytes.data() + (*image)->segments[0].file_offset, 64), 0);
  }
}

TEST(GuestMemory, FourKibPagesNeedTheirTablesTwoMibPagesDoNot) {
  auto image = guest_image();
  ASSERT_TRUE(image);
  auto small = plan_guest_memory(**image, 1ull << 30, GuestPages::k4KiB);
  auto large = plan_guest_memory(**image, 1ull << 30, GuestPages::k2MiB);
  ASSERT_TRUE(small && large);
  EXPECT_GT(small->total_bytes, large->total_bytes);  // 512 tables of 4 KiB for 1 GiB
  auto too_big = plan_guest_memory(**image, 5ull << 30, GuestPages::k2MiB);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().describe().find("4 GiB"), std::string::npos);
}

TEST(Kernels, ComputeLoopIsTheLinearCongruence) {
  std::uint32_t expected = 7;
  for (int i = 0; i < 1000; ++i) expected = expected * 1103515245u + 12345u;
  EXPECT_EQ(isobench_compute_loop(7, 1000), expected);
  EXPECT_EQ(isobench_compute_loop(1, 1), 1103527590u);
  EXPECT_EQ(isobench_compute_loop(5, 0), 5u);
}

TEST(GuestVm, EveryOperationHasAName) {
  for (std::uint64_t op : {ISOBENCH_OP_REPORT, ISOBENCH_OP_HASH_ROUNDS, ISOBENCH_OP_RANDOM, ISOBENCH_OP_HLT})
    EXPECT_STRNE(op_name(op), "unknown");
  EXPECT_STREQ(op_name(999), "unknown");
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
