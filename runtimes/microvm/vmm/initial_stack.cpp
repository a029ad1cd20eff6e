#include "initial_stack.hpp"

#include <cpuid.h>
#include <elf.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace isobench::microvm {
namespace {

class StackWriter {
 public:
  StackWriter(AddressSpace& space, std::uint64_t top) : space_(space), sp_(top), bottom_(top - kStackBytes) {}

  // Copies `bytes` below the current top; returns their guest address, 0 when full.
  std::uint64_t push(const void* bytes, std::size_t size) {
    if (sp_ - bottom_ < size) return 0;
    sp_ -= size;
    std::memcpy(space_.host(sp_, size), bytes, size);
    return sp_;
  }
  std::uint64_t push_string(const std::string& s) { return push(s.c_str(), s.size() + 1); }
  void align(std::uint64_t to) { sp_ &= ~(to - 1); }
  std::uint64_t sp() const { return sp_; }

 private:
  AddressSpace& space_;
  std::uint64_t sp_, bottom_;
};

// Where the program headers are in guest memory: in the segment that maps file offset 0.
std::uint64_t program_headers_at(const kvm::ElfImage& image, std::uint64_t phoff) {
  for (const kvm::LoadSegment& segment : image.segments)
    if (segment.file_offset <= phoff && phoff < segment.file_offset + segment.file_bytes)
      return segment.vaddr + (phoff - segment.file_offset);
  return 0;
}

}  // namespace

Result<std::uint64_t> build_initial_stack(AddressSpace& space, const kvm::ElfImage& image,
                                          const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
  Elf64_Ehdr header;
  std::memcpy(&header, image.bytes.data(), sizeof header);
  StackWriter stack(space, space.stack_top());

  std::vector<std::uint64_t> argv_at, envp_at;
  for (const std::string& arg : argv) argv_at.push_back(stack.push_string(arg));
  for (const std::string& env : envp) envp_at.push_back(stack.push_string(env));
  const std::uint64_t platform = stack.push_string("x86_64");
  const std::uint64_t execfn = argv.empty() ? 0 : stack.push_string(argv[0]);
  unsigned char random[16];
  if (::getrandom(random, sizeof random, 0) != sizeof random) return fail_errno("getrandom for AT_RANDOM");
  const std::uint64_t random_at = stack.push(random, sizeof random);

  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  __get_cpuid(1, &eax, &ebx, &ecx, &edx);
  const std::uint64_t auxv[][2] = {
      {AT_PHDR, program_headers_at(image, header.e_phoff)},
      {AT_PHENT, header.e_phentsize},
      {AT_PHNUM, header.e_phnum},
      {AT_PAGESZ, kPage},
      {AT_BASE, 0},
      {AT_FLAGS, 0},
      {AT_ENTRY, image.entry},
      {AT_UID, ::getuid()},
      {AT_EUID, ::geteuid()},
      {AT_GID, ::getgid()},
      {AT_EGID, ::getegid()},
      {AT_SECURE, 0},
      {AT_HWCAP, edx},
      {AT_HWCAP2, 0},
      {AT_CLKTCK, static_cast<std::uint64_t>(::sysconf(_SC_CLK_TCK))},
      {AT_PLATFORM, platform},
      {AT_RANDOM, random_at},
      {AT_EXECFN, execfn},
      {AT_NULL, 0},
  };
  // argc, argv[], 0, envp[], 0, auxv: the words below the strings, with RSP 16-aligned.
  const std::size_t words = 1 + argv_at.size() + 1 + envp_at.size() + 1 + 2 * std::size(auxv);
  stack.align(16);
  if (words % 2 != 0) {
    const std::uint64_t pad = 0;
    stack.push(&pad, sizeof pad);
  }
  std::vector<std::uint64_t> block;
  block.reserve(words);
  block.push_back(argv_at.size());
  block.insert(block.end(), argv_at.begin(), argv_at.end());
  block.push_back(0);
  block.insert(block.end(), envp_at.begin(), envp_at.end());
  block.push_back(0);
  for (const auto& pair : auxv) block.insert(block.end(), {pair[0], pair[1]});
  if (stack.push(block.data(), block.size() * sizeof(std::uint64_t)) == 0 ||
      std::find(argv_at.begin(), argv_at.end(), 0) != argv_at.end() ||
      std::find(envp_at.begin(), envp_at.end(), 0) != envp_at.end())
    return fail("the workload's arguments and environment do not fit its " + std::to_string(kStackBytes >> 20) +
                " MiB stack");
  return stack.sp();
}

}  // namespace isobench::microvm
