// The stack a static ELF finds at its entry point, laid out as Linux's exec lays it out:
// argc, argv, envp, the auxiliary vector, then the strings and AT_RANDOM's bytes above.
// No AT_SYSINFO_EHDR: without a vDSO, glibc makes clock_gettime a system call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "address_space.hpp"
#include "runtimes/kvm/elf_image.hpp"

namespace isobench::microvm {

// Writes the stack below `space.stack_top()` and returns the entry RSP (16-byte aligned,
// pointing at argc).
Result<std::uint64_t> build_initial_stack(AddressSpace& space, const kvm::ElfImage& image,
                                          const std::vector<std::string>& argv, const std::vector<std::string>& envp);

}  // namespace isobench::microvm
