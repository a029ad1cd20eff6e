#include "address_space.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstring>

#include "guest_layout.h"

namespace isobench::microvm {
namespace {

constexpr std::uint64_t kPresent = 1, kWritable = 2, kUser = 4, kHuge = 0x80;
constexpr std::uint64_t kPage2M = 2ull << 20;
constexpr std::uint64_t kTable = kPresent | kWritable | kUser;
// User pages, all of them: under kvm_pvm the supervisor's system call path runs in the
// guest's user mode (supervisor.S).
constexpr std::uint64_t kPage4KFlags = kPresent | kWritable | kUser;

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t to) { return (v + to - 1) / to * to; }
constexpr std::uint64_t align_down(std::uint64_t v, std::uint64_t to) { return v / to * to; }

}  // namespace

Result<AddressSpace> AddressSpace::create(std::uint64_t ram_end) {
  if (ram_end > kMaxGuestBytes || ram_end % kPage2M != 0 || ram_end < MICROVM_RAM_BASE + (64ull << 20))
    return fail("guest memory of " + std::to_string(ram_end) + " bytes: want a multiple of 2 MiB between 68 MiB and 4 GiB");
  auto region = kvm::MappedRegion::anonymous(ram_end, "microvm guest memory");
  if (!region) return std::unexpected(region.error());
  AddressSpace space(std::move(*region), ram_end);
  space.backed_.assign((ram_end + kSlotChunkBytes - 1) / kSlotChunkBytes, false);
  space.build_page_tables();
  return space;
}

Result<void> AddressSpace::load(const kvm::ElfImage& image, int elf_fd) {
  if (brk_start_ != 0) return fail("the workload is already loaded");
  if (image.lowest_vaddr() < MICROVM_RAM_BASE || image.end_vaddr() > ram_end_ / 2)
    return fail("the workload's segments end at " + std::to_string(image.end_vaddr()) +
                ": not inside the lower half of guest RAM from 0x400000");
  if (auto mapped = map_segments(image, elf_fd); !mapped) return mapped;
  stack_top_ = align_up(image.end_vaddr(), kPage2M) + kStackBytes;
  brk_start_ = brk_ = stack_top_;
  brk_limit_ = brk_start_ + std::min(kBrkLimitBytes, align_down((ram_end_ - brk_start_) / 4, kPage));
  mmap_start_ = align_up(brk_limit_, kPage2M);
  mmap_end_ = ram_end_;
  if (mmap_start_ >= mmap_end_) return fail("guest memory too small for the workload's mmap area");
  free_[mmap_start_] = mmap_end_ - mmap_start_;
  return back(MICROVM_RAM_BASE, stack_top_ - MICROVM_RAM_BASE);
}

Result<void> AddressSpace::back(std::uint64_t gpa, std::uint64_t bytes) {
  if (vm_ == nullptr || bytes == 0) return {};
  for (std::uint64_t chunk = gpa / kSlotChunkBytes; chunk <= (gpa + bytes - 1) / kSlotChunkBytes; ++chunk) {
    if (chunk >= backed_.size() || backed_[chunk]) continue;
    // Slot 0 is the low area; chunk 0's slot starts at RAM, after the exit hole.
    const std::uint64_t start = std::max(chunk * kSlotChunkBytes, std::uint64_t{MICROVM_RAM_BASE});
    const std::uint64_t end = std::min((chunk + 1) * kSlotChunkBytes, ram_end_);
    if (auto slot = vm_->set_memory_slot(static_cast<std::uint32_t>(chunk + 1), start, low(start), end - start); !slot)
      return slot;
    backed_[chunk] = true;
  }
  return {};
}

void AddressSpace::build_page_tables() {
  auto table = [&](std::uint64_t gpa) { return reinterpret_cast<std::uint64_t*>(low(gpa)); };
  const std::uint64_t pml4 = MICROVM_PAGE_TABLES, pdpt = pml4 + kPage, pd = pdpt + kPage, low_table = pd + 4 * kPage;
  table(pml4)[0] = pdpt | kTable;
  for (std::uint64_t i = 0; i < 4; ++i) table(pdpt)[i] = (pd + i * kPage) | kTable;
  std::uint64_t* directory = table(pd);  // four contiguous directories: one array
  directory[0] = low_table | kTable;
  // The low 2 MiB: only the supervisor's pages.
  std::uint64_t* lows = table(low_table);
  for (std::uint64_t page = MICROVM_SUPERVISOR; page < MICROVM_PAGE_TABLES; page += kPage)
    lows[page / kPage] = page | kPage4KFlags;
  for (std::uint64_t page = MICROVM_SUPERVISOR_STACK_TOP - 0x10000; page < MICROVM_SUPERVISOR_STACK_TOP; page += kPage)
    lows[page / kPage] = page | kPage4KFlags;
  // The exit hole: stores there leave the guest.
  directory[MICROVM_EXIT_SYSCALL / kPage2M] = align_down(MICROVM_EXIT_SYSCALL, kPage2M) | kPage4KFlags | kHuge;
  for (std::uint64_t chunk = MICROVM_RAM_BASE; chunk < ram_end_; chunk += kPage2M)
    directory[chunk / kPage2M] = chunk | kTable | kHuge;
}

Result<void> AddressSpace::map_segments(const kvm::ElfImage& image, int elf_fd) {
  for (const kvm::LoadSegment& segment : image.segments) {
    if (segment.vaddr % kPage != segment.file_offset % kPage)
      return fail("ELF segment at 0x" + std::to_string(segment.vaddr) + " is not page-aligned with its file offset");
    const std::uint64_t start = align_down(segment.vaddr, kPage);
    const std::uint64_t file_start = align_down(segment.file_offset, kPage);
    const std::uint64_t file_end = segment.file_offset + segment.file_bytes;
    if (segment.file_bytes > 0) {
      // As exec(2) does: the file's pages, private; writes copy them.
      void* at = ::mmap(low(start), align_up(file_end, kPage) - file_start, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_FIXED, elf_fd, static_cast<off_t>(file_start));
      if (at == MAP_FAILED) return fail_errno("mmap the workload's segment at 0x" + std::to_string(segment.vaddr));
    }
    // .bss: the rest of the last file page is zeroed; later pages are the reservation's zeros.
    const std::uint64_t bss = segment.vaddr + segment.file_bytes;
    const std::uint64_t page_end = align_up(bss, kPage);
    const std::uint64_t zero_end = std::min(page_end, segment.vaddr + segment.memory_bytes);
    if (segment.memory_bytes > segment.file_bytes && zero_end > bss) std::memset(low(bss), 0, zero_end - bss);
  }
  return {};
}

std::byte* AddressSpace::host(std::uint64_t gpa, std::uint64_t bytes) const {
  if (gpa < MICROVM_RAM_BASE || gpa > ram_end_ || bytes > ram_end_ - gpa) return nullptr;
  return region_.bytes() + gpa;
}

std::uint64_t AddressSpace::brk(std::uint64_t requested) {
  if (requested < brk_start_ || requested > brk_limit_) return brk_;
  std::uint64_t old_end = align_up(brk_, kPage), new_end = align_up(requested, kPage);
  if (new_end > old_end && !back(old_end, new_end - old_end)) return brk_;
  // A shrinking break gives its pages back, so that growing again reads zeros.
  if (new_end < old_end) ::madvise(region_.bytes() + new_end, old_end - new_end, MADV_DONTNEED);
  brk_ = requested;
  return brk_;
}

std::uint64_t AddressSpace::map(std::uint64_t hint, std::uint64_t bytes, bool fixed) {
  bytes = align_up(bytes, kPage);
  if (bytes == 0) return 0;
  if (fixed) {
    if (hint % kPage != 0 || hint < mmap_start_ || hint > mmap_end_ || bytes > mmap_end_ - hint) return 0;
    release(hint, bytes);  // MAP_FIXED replaces whatever was there
    // Take [hint, hint + bytes) out of the free list.
    auto it = free_.upper_bound(hint);
    if (it == free_.begin()) return 0;
    --it;
    std::uint64_t start = it->first, length = it->second;
    if (hint + bytes > start + length || !back(hint, bytes)) return 0;
    free_.erase(it);
    if (hint > start) free_[start] = hint - start;
    if (start + length > hint + bytes) free_[hint + bytes] = start + length - (hint + bytes);
    return hint;
  }
  for (auto it = free_.begin(); it != free_.end(); ++it) {
    if (it->second < bytes) continue;
    std::uint64_t start = it->first, length = it->second;
    if (!back(start, bytes)) return 0;
    free_.erase(it);
    if (length > bytes) free_[start + bytes] = length - bytes;
    return start;
  }
  return 0;
}

bool AddressSpace::unmap(std::uint64_t gpa, std::uint64_t bytes) {
  bytes = align_up(bytes, kPage);
  if (gpa % kPage != 0 || gpa < mmap_start_ || gpa > mmap_end_ || bytes > mmap_end_ - gpa) return false;
  release(gpa, bytes);
  return true;
}

void AddressSpace::release(std::uint64_t gpa, std::uint64_t bytes) {
  ::madvise(region_.bytes() + gpa, bytes, MADV_DONTNEED);
  // Add [gpa, gpa + bytes) to the free list, merging with neighbours and overlaps.
  std::uint64_t start = gpa, end = gpa + bytes;
  auto it = free_.lower_bound(start);
  if (it != free_.begin()) {
    auto before = std::prev(it);
    if (before->first + before->second >= start) it = before;
  }
  while (it != free_.end() && it->first <= end) {
    start = std::min(start, it->first);
    end = std::max(end, it->first + it->second);
    it = free_.erase(it);
  }
  free_[start] = end - start;
}

int AddressSpace::advise(std::uint64_t gpa, std::uint64_t bytes, int advice) const {
  std::byte* at = host(align_down(gpa, kPage), align_up(bytes + gpa % kPage, kPage));
  if (at == nullptr) return -1;
  return ::madvise(at, align_up(bytes + gpa % kPage, kPage), advice);
}

std::uint64_t AddressSpace::free_bytes() const {
  std::uint64_t total = 0;
  for (const auto& [start, length] : free_) total += length;
  return total;
}

}  // namespace isobench::microvm
