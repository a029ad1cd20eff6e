#include "guest_image.hpp"

// .incbin keeps the ELF's bytes exact; the build passes its path and rebuilds this file
// when the guest changes (OBJECT_DEPENDS in CMakeLists.txt).
#define ISOBENCH_STRINGIFY2(x) #x
#define ISOBENCH_STRINGIFY(x) ISOBENCH_STRINGIFY2(x)
__asm__(
    ".section .rodata.isobench_kvm_guest, \"a\"\n"
    ".balign 16\n"
    ".globl isobench_kvm_guest_elf, isobench_kvm_guest_elf_end\n"
    ".hidden isobench_kvm_guest_elf, isobench_kvm_guest_elf_end\n"
    "isobench_kvm_guest_elf:\n"
    ".incbin \"" ISOBENCH_STRINGIFY(ISOBENCH_KVM_GUEST_ELF) "\"\n"
    "isobench_kvm_guest_elf_end:\n"
    ".previous\n");

extern "C" const std::byte isobench_kvm_guest_elf[];
extern "C" const std::byte isobench_kvm_guest_elf_end[];

namespace isobench::kvm {

std::span<const std::byte> embedded_guest_elf() {
  return {isobench_kvm_guest_elf, static_cast<std::size_t>(isobench_kvm_guest_elf_end - isobench_kvm_guest_elf)};
}

}  // namespace isobench::kvm
