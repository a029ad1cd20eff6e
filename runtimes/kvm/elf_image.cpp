#include "elf_image.hpp"

#include <elf.h>

#include <algorithm>
#include <cstring>

namespace isobench::kvm {

std::uint64_t ElfImage::lowest_vaddr() const {
  std::uint64_t low = UINT64_MAX;
  for (const auto& s : segments) low = std::min(low, s.vaddr);
  return low;
}

std::uint64_t ElfImage::end_vaddr() const {
  std::uint64_t end = 0;
  for (const auto& s : segments) end = std::max(end, s.vaddr + s.memory_bytes);
  return end;
}

Result<ElfImage> parse_elf(std::span<const std::byte> bytes, const std::string& what) {
  Elf64_Ehdr header;
  if (bytes.size() < sizeof header) return fail(what + ": " + std::to_string(bytes.size()) + " bytes is too short for an ELF header");
  std::memcpy(&header, bytes.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) return fail(what + ": not an ELF file");
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_ident[EI_DATA] != ELFDATA2LSB || header.e_machine != EM_X86_64)
    return fail(what + ": not a 64-bit little-endian x86-64 ELF");
  if (header.e_type != ET_EXEC)
    return fail(what + ": ELF type " + std::to_string(header.e_type) + ", expected a static executable (ET_EXEC)");
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      header.e_phoff + static_cast<std::uint64_t>(header.e_phnum) * sizeof(Elf64_Phdr) > bytes.size())
    return fail(what + ": program headers lie outside the file");
  ElfImage image;
  image.bytes = bytes;
  image.entry = header.e_entry;
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr ph;
    std::memcpy(&ph, bytes.data() + header.e_phoff + i * sizeof ph, sizeof ph);
    if (ph.p_type == PT_INTERP) return fail(what + ": has an interpreter (dynamically linked); a static executable is needed");
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_offset + ph.p_filesz > bytes.size() || ph.p_memsz < ph.p_filesz)
      return fail(what + ": PT_LOAD " + std::to_string(i) + " does not fit the file");
    image.segments.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, ph.p_flags});
  }
  if (image.segments.empty()) return fail(what + ": no PT_LOAD segment");
  return image;
}

Result<void> load_elf(const ElfImage& image, std::byte* memory, std::uint64_t memory_vaddr, std::uint64_t memory_bytes) {
  for (const auto& s : image.segments) {
    if (s.vaddr < memory_vaddr || s.vaddr + s.memory_bytes > memory_vaddr + memory_bytes)
      return fail("ELF segment at 0x" + std::to_string(s.vaddr) + " (" + std::to_string(s.memory_bytes) +
                  " bytes) is outside guest memory");
    std::byte* at = memory + (s.vaddr - memory_vaddr);
    std::memcpy(at, image.bytes.data() + s.file_offset, s.file_bytes);
    std::memset(at + s.file_bytes, 0, s.memory_bytes - s.file_bytes);
  }
  return {};
}

}  // namespace isobench::kvm
