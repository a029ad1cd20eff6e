#include "guest_memory.hpp"

#include <sys/mman.h>

#include <cstring>

namespace isobench::kvm {
namespace {

constexpr std::uint64_t kPresent = 1, kWritable = 2, kUser = 4, kHuge = 0x80;
// Every level user-accessible: the guest runs in user mode under PVM (and may under
// hardware KVM); in kernel mode the U bit is harmless without SMEP/SMAP.
constexpr std::uint64_t kTableFlags = kPresent | kWritable | kUser;
constexpr std::uint64_t kPageDirectories = 4;  // 4 GiB of address space
constexpr std::uint64_t kAddressSpace = kPageDirectories << 30;

constexpr std::uint64_t align_up(std::uint64_t value, std::uint64_t to) { return (value + to - 1) / to * to; }

std::uint64_t* table_at(const GuestMemory& memory, std::uint64_t gpa) {
  return reinterpret_cast<std::uint64_t*>(memory.at(gpa));
}

}  // namespace

const char* to_string(GuestPages pages) { return pages == GuestPages::k4KiB ? "4K" : "2M"; }
const char* to_string(HostPages pages) {
  switch (pages) {
    case HostPages::kHuge: return "huge";
    case HostPages::kNoHuge: return "nohuge";
    default: return "default";
  }
}

Result<GuestMemoryLayout> plan_guest_memory(const ElfImage& image, std::uint64_t heap_bytes, GuestPages pages) {
  if (image.lowest_vaddr() < ISOBENCH_GUEST_RAM_BASE)
    return fail("the guest image starts below guest RAM (0x" + std::to_string(image.lowest_vaddr()) + ")");
  GuestMemoryLayout layout;
  layout.image_end = image.end_vaddr();
  layout.heap_base = align_up(layout.image_end, kPage2M);
  layout.heap_bytes = align_up(heap_bytes, kPage2M);
  std::uint64_t mapped_end = layout.heap_base + layout.heap_bytes;
  layout.page_table_base = mapped_end;
  std::uint64_t page_table_bytes = 0;
  if (pages == GuestPages::k4KiB) page_table_bytes = (mapped_end - ISOBENCH_GUEST_RAM_BASE) / kPage2M * kPage4K;
  layout.total_bytes = align_up(mapped_end + page_table_bytes, kPage2M);
  if (layout.total_bytes > kAddressSpace)
    return fail("guest memory of " + std::to_string(layout.total_bytes) + " bytes is beyond the 4 GiB the kvm guest maps");
  return layout;
}

Result<GuestMemory> GuestMemory::create(const ElfImage& image, std::uint64_t heap_bytes, GuestPages pages, HostPages host) {
  auto layout = plan_guest_memory(image, heap_bytes, pages);
  if (!layout) return std::unexpected(layout.error());
  auto region = MappedRegion::anonymous(layout->total_bytes, "guest memory");
  if (!region) return std::unexpected(region.error());
  if (host != HostPages::kDefault &&
      ::madvise(region->get(), region->size(), host == HostPages::kHuge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE) != 0)
    return fail_errno("madvise guest memory");
  GuestMemory memory(std::move(*region), *layout, pages);
  if (auto loaded = load_elf(image, memory.at(ISOBENCH_GUEST_RAM_BASE), ISOBENCH_GUEST_RAM_BASE,
                             layout->heap_base - ISOBENCH_GUEST_RAM_BASE);
      !loaded)
    return std::unexpected(loaded.error());

  // PML4[0] -> PDPT; PDPT[i] -> page directory i; the directories map [0, heap end).
  const std::uint64_t pml4 = ISOBENCH_GUEST_PAGE_TABLES, pdpt = pml4 + kPage4K, pd = pdpt + kPage4K;
  table_at(memory, pml4)[0] = pdpt | kTableFlags;
  for (std::uint64_t i = 0; i < kPageDirectories; ++i) table_at(memory, pdpt)[i] = (pd + i * kPage4K) | kTableFlags;
  std::uint64_t* directory = table_at(memory, pd);  // the four are contiguous: one array
  directory[0] = 0 | kTableFlags | kHuge;                               // mailbox, tables, stack
  directory[1] = ISOBENCH_GUEST_REPORT | kTableFlags | kHuge;           // the report hole
  std::uint64_t next_table = layout->page_table_base;
  for (std::uint64_t chunk = ISOBENCH_GUEST_RAM_BASE; chunk < layout->heap_base + layout->heap_bytes; chunk += kPage2M) {
    std::uint64_t& entry = directory[chunk / kPage2M];
    if (pages == GuestPages::k2MiB) {
      entry = chunk | kTableFlags | kHuge;
      continue;
    }
    std::uint64_t* table = table_at(memory, next_table);
    for (std::uint64_t i = 0; i < kPage2M / kPage4K; ++i) table[i] = (chunk + i * kPage4K) | kTableFlags;
    entry = next_table | kTableFlags;
    next_table += kPage4K;
  }
  return memory;
}

}  // namespace isobench::kvm
