// The guest's memory bookkeeping (brk, mmap, munmap), on a real reservation, no KVM.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>

#include "microvm/vmm/address_space.hpp"
#include "microvm/vmm/guest_layout.h"

using namespace isobench::microvm;

namespace {

// A space whose "image" ends at 8 MiB, without an ELF: load() wants one, so the tests
// use the mmap area directly after placing it through a tiny fake image.
AddressSpace make_space() {
  auto space = AddressSpace::create(256ull << 20);
  EXPECT_TRUE(space) << space.error().describe();
  static const std::byte no_file[64] = {};
  isobench::kvm::ElfImage image;
  image.bytes = std::span(no_file);
  image.entry = MICROVM_RAM_BASE;
  image.segments.push_back({.vaddr = MICROVM_RAM_BASE, .file_offset = 0, .file_bytes = 0,
                            .memory_bytes = 4ull << 20, .flags = 6});
  EXPECT_TRUE(space->load(image, -1));
  return std::move(*space);
}

}  // namespace

TEST(MicrovmAddressSpace, MappingsArePageAlignedDisjointAndReusedAfterUnmap) {
  AddressSpace space = make_space();
  const std::uint64_t free_before = space.free_bytes();
  std::uint64_t a = space.map(0, 10000, false), b = space.map(0, 4096, false);
  ASSERT_NE(a, 0u);
  ASSERT_NE(b, 0u);
  EXPECT_EQ(a % 4096, 0u);
  EXPECT_GE(b, a + 12288);  // 10000 bytes take three pages
  EXPECT_EQ(space.free_bytes(), free_before - 16384);
  EXPECT_TRUE(space.unmap(a, 10000));
  EXPECT_EQ(space.map(0, 8192, false), a);  // first fit: the hole a left
  EXPECT_TRUE(space.unmap(a, 8192));
  EXPECT_TRUE(space.unmap(b, 4096));
  EXPECT_EQ(space.free_bytes(), free_before);  // the holes merged back
  EXPECT_FALSE(space.unmap(MICROVM_RAM_BASE, 4096));  // not the mmap area
}

TEST(MicrovmAddressSpace, UnmappedMemoryReadsZeroWhenMappedAgain) {
  AddressSpace space = make_space();
  std::uint64_t a = space.map(0, 4096, false);
  std::memset(space.host(a, 4096), 0xab, 4096);
  ASSERT_TRUE(space.unmap(a, 4096));
  ASSERT_EQ(space.map(0, 4096, false), a);
  EXPECT_EQ(static_cast<unsigned char>(*space.host(a, 1)), 0);
}

TEST(MicrovmAddressSpace, FixedMappingsTakeTheirPlaceAndTooMuchIsNoMemory) {
  AddressSpace space = make_space();
  std::uint64_t a = space.map(0, 1 << 20, false);
  std::uint64_t fixed = space.map(a + 8192, 4096, true);
  EXPECT_EQ(fixed, a + 8192);
  EXPECT_EQ(space.map(0, 1ull << 40, false), 0u);
  EXPECT_EQ(space.map(4096, 4096, true), 0u);  // below the mmap area
}

TEST(MicrovmAddressSpace, BrkGrowsAndShrinksInsideItsAreaOnly) {
  AddressSpace space = make_space();
  const std::uint64_t start = space.brk(0);
  EXPECT_EQ(start, space.stack_top());  // the brk area starts above the stack
  EXPECT_EQ(space.brk(start + 100000), start + 100000);
  std::memset(space.host(start, 100000), 0xcd, 100000);
  EXPECT_EQ(space.brk(start), start);
  EXPECT_EQ(space.brk(start + 4096), start + 4096);
  EXPECT_EQ(static_cast<unsigned char>(*space.host(start, 1)), 0);  // given back, reads zero
  EXPECT_EQ(space.brk(start - 4096), start + 4096);   // below the area: unchanged
  EXPECT_EQ(space.brk(1ull << 40), start + 4096);     // beyond it: unchanged
}

TEST(MicrovmAddressSpace, HostViewsStayInsideGuestRam) {
  AddressSpace space = make_space();
  EXPECT_NE(space.host(MICROVM_RAM_BASE, 4096), nullptr);
  EXPECT_EQ(space.host(0x1000, 8), nullptr);  // the supervisor's page is not the workload's RAM
  EXPECT_EQ(space.host(space.ram_end() - 8, 16), nullptr);
  EXPECT_EQ(space.host(~0ull - 4, 8), nullptr);
}
