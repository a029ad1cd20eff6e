// The microvm guest's memory as the workload sees it: one host reservation for the whole
// guest physical space (virtual = physical), the workload's ELF segments mapped from its
// file as exec(2) maps them (private, so its text pages are shared with the page cache),
// a brk area after them, an mmap area and a stack at the top, and the page tables that
// map all of it (guest_layout.h).
//
// RAM is reserved with MAP_NORESERVE and costs host memory only where the guest touches
// it; munmap and MADV_DONTNEED give the pages back to the host. KVM sees it in memory
// slots of 64 MiB, added when brk or mmap first hands out an address in one: a slot costs
// KVM bookkeeping in proportion to its size (creating one of 2 GiB took 1.5-14 ms here),
// and most workloads touch a few MiB.
//
// Layout of RAM: the ELF segments, the stack (8 MiB, below its top), the brk area, then
// the mmap area up to the end of guest memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>
#include <string>

#include "runtimes/common/error.hpp"
#include "runtimes/kvm/elf_image.hpp"
#include "runtimes/kvm/kvm_vm.hpp"
#include "runtimes/kvm/mapped_region.hpp"

namespace isobench::microvm {

inline constexpr std::uint64_t kPage = 4096;
inline constexpr std::uint64_t kStackBytes = 8ull << 20;
// glibc's malloc takes small blocks from brk and anything from 128 KiB up from mmap.
inline constexpr std::uint64_t kBrkLimitBytes = 256ull << 20;
// The page tables have room for 4 GiB of guest physical space.
inline constexpr std::uint64_t kMaxGuestBytes = 4ull << 30;
inline constexpr std::uint64_t kSlotChunkBytes = 64ull << 20;

class AddressSpace {
 public:
  // Reserves `ram_end` bytes of guest physical space (RAM is [MICROVM_RAM_BASE, ram_end))
  // and builds the page tables.
  static Result<AddressSpace> create(std::uint64_t ram_end);
  // Maps `image`'s segments from the file open at `elf_fd` and places brk and the mmap
  // area after them. Once.
  Result<void> load(const kvm::ElfImage& image, int elf_fd);

  std::byte* host_base() const { return region_.bytes(); }
  std::uint64_t ram_end() const { return ram_end_; }
  std::uint64_t stack_top() const { return stack_top_; }

  // From now on, RAM that brk and mmap hand out is backed by memory slots of `vm` (slot 0
  // is the low area's, the caller's). REQUIRES: `vm` outlives this space.
  void attach(kvm::KvmVm& vm) { vm_ = &vm; }
  // Adds the slots that [gpa, gpa + bytes) lacks; load() backs the image and the stack.
  Result<void> back(std::uint64_t gpa, std::uint64_t bytes);
  std::size_t slots() const { return backed_.size(); }

  // The host's view of guest [gpa, gpa + bytes): null unless all of it is RAM.
  std::byte* host(std::uint64_t gpa, std::uint64_t bytes) const;
  // The host's view of the low area (supervisor pages, tables): no bounds beyond it.
  std::byte* low(std::uint64_t gpa) const { return region_.bytes() + gpa; }

  // brk(2): `requested` 0 or out of range leaves the break where it is; returns it.
  std::uint64_t brk(std::uint64_t requested);
  // mmap(2) of anonymous memory: `bytes` rounded to pages, first fit; `fixed` at `hint`
  // (MAP_FIXED) when it lies in the mmap area. 0 when nothing fits (ENOMEM).
  std::uint64_t map(std::uint64_t hint, std::uint64_t bytes, bool fixed);
  // munmap(2): the range is free again and its host pages are dropped (zero on reuse).
  // False when the range is not inside the mmap area.
  bool unmap(std::uint64_t gpa, std::uint64_t bytes);
  // MADV_DONTNEED / MADV_HUGEPAGE / ... on the host pages behind a RAM range.
  int advise(std::uint64_t gpa, std::uint64_t bytes, int advice) const;

  // Bytes the mmap area still has free (for tests and error messages).
  std::uint64_t free_bytes() const;

 private:
  AddressSpace(kvm::MappedRegion region, std::uint64_t ram_end) : region_(std::move(region)), ram_end_(ram_end) {}
  void build_page_tables();
  Result<void> map_segments(const kvm::ElfImage& image, int elf_fd);
  void release(std::uint64_t gpa, std::uint64_t bytes);

  kvm::MappedRegion region_;
  std::uint64_t ram_end_ = 0;
  std::uint64_t stack_top_ = 0;
  kvm::KvmVm* vm_ = nullptr;
  std::vector<bool> backed_;  // per 64 MiB chunk of guest physical space
  std::uint64_t brk_start_ = 0, brk_ = 0, brk_limit_ = 0;
  std::uint64_t mmap_start_ = 0, mmap_end_ = 0;
  std::map<std::uint64_t, std::uint64_t> free_;  // start -> bytes, coalesced
};

}  // namespace isobench::microvm
