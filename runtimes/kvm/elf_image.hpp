// A static x86-64 ELF executable, as a VMM loads it: its PT_LOAD segments and entry
// point, checked against the bytes they claim. The kvm guest image is one; the microvm
// backend's workload binary is another.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtimes/common/error.hpp"

namespace isobench::kvm {

struct LoadSegment {
  std::uint64_t vaddr = 0;
  std::uint64_t file_offset = 0;
  std::uint64_t file_bytes = 0;    // copied from the file
  std::uint64_t memory_bytes = 0;  // the rest up to this is zero (.bss)
  std::uint32_t flags = 0;         // PF_R | PF_W | PF_X
};

struct ElfImage {
  std::span<const std::byte> bytes;
  std::uint64_t entry = 0;
  std::vector<LoadSegment> segments;
  std::uint64_t lowest_vaddr() const;
  std::uint64_t end_vaddr() const;  // one past the highest byte of any segment
};

// Parses `bytes` (named `what` in errors): ELF64, little-endian, x86-64, ET_EXEC, at least
// one PT_LOAD, each segment within the file and with memory_bytes >= file_bytes.
Result<ElfImage> parse_elf(std::span<const std::byte> bytes, const std::string& what);

// Copies every segment to `memory`, which holds guest virtual addresses starting at
// `memory_vaddr` for `memory_bytes`; zeroes each segment's .bss part. Fails when a segment
// falls outside.
Result<void> load_elf(const ElfImage& image, std::byte* memory, std::uint64_t memory_vaddr, std::uint64_t memory_bytes);

}  // namespace isobench::kvm
