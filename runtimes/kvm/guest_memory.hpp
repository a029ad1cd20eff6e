// The kvm guest's memory: one host mapping holding both memory slots (the low 2 MiB and
// RAM from ISOBENCH_GUEST_RAM_BASE, guest/guest_protocol.h), the guest image loaded
// into it and identity-mapping page tables built by the VMM. The guest starts in 64-bit
// mode with paging on: there is no real-mode code to run, which PVM would hand to KVM's
// instruction emulator.
#pragma once

#include <cstdint>
#include <string>

#include "runtimes/common/error.hpp"
#include "elf_image.hpp"
#include "guest/guest_protocol.h"
#include "mapped_region.hpp"

namespace isobench::kvm {

inline constexpr std::uint64_t kPage4K = 4096;
inline constexpr std::uint64_t kPage2M = 2ull << 20;

// The guest's page size for its RAM (the low 2 MiB and the report hole are always one
// 2 MiB page each).
enum class GuestPages { k4KiB, k2MiB };
// How the host backs guest RAM: the kernel's default, or madvise(MADV_HUGEPAGE /
// MADV_NOHUGEPAGE) over the whole mapping.
enum class HostPages { kDefault, kHuge, kNoHuge };

const char* to_string(GuestPages pages);  // "4K", "2M"
const char* to_string(HostPages pages);   // "default", "huge", "nohuge"

struct GuestMemoryLayout {
  std::uint64_t image_end = 0;    // one past the image's last byte
  std::uint64_t heap_base = 0;    // 2 MiB aligned
  std::uint64_t heap_bytes = 0;   // what the VMM may hand out for kernel buffers
  std::uint64_t page_table_base = 0;  // the 4 KiB page tables, after the heap
  std::uint64_t total_bytes = 0;  // the host mapping: [0, total) in guest physical terms
};

// Guest RAM for an image and `heap_bytes` of buffers. Fails beyond 4 GiB of address
// space (the four page directories the layout has room for).
Result<GuestMemoryLayout> plan_guest_memory(const ElfImage& image, std::uint64_t heap_bytes, GuestPages pages);

class GuestMemory {
 public:
  // Maps the memory, loads `image` and builds the page tables. Touches only the pages
  // it writes (image, page tables): the heap stays untouched until the guest uses it.
  static Result<GuestMemory> create(const ElfImage& image, std::uint64_t heap_bytes, GuestPages pages, HostPages host);

  const GuestMemoryLayout& layout() const { return layout_; }
  GuestPages pages() const { return pages_; }
  // The host's view of guest physical (= virtual) address `gpa`.
  std::byte* at(std::uint64_t gpa) const { return region_.bytes() + gpa; }
  std::byte* host_base() const { return region_.bytes(); }
  std::uint64_t cr3() const { return ISOBENCH_GUEST_PAGE_TABLES; }

 private:
  GuestMemory(MappedRegion region, GuestMemoryLayout layout, GuestPages pages)
      : region_(std::move(region)), layout_(layout), pages_(pages) {}
  MappedRegion region_;
  GuestMemoryLayout layout_;
  GuestPages pages_;
};

}  // namespace isobench::kvm
