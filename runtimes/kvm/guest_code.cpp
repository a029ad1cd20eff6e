#include "guest_code.hpp"

namespace isobench::kvm {
namespace {

// Real mode. Encodings checked with `objdump -D -b binary -mi8086`.
constexpr std::uint8_t kIoLoop[] = {
    0xe6, 0x10,  // loop: out 0x10, al
    0xeb, 0xfc,  //       jmp loop
};

constexpr std::uint8_t kMmioLoop[] = {
    0xb8, 0x00, 0x10,  //       mov ax, 0x1000
    0x8e, 0xd8,        //       mov ds, ax          ; DS base 0x10000 = kMmioAddress
    0xa2, 0x00, 0x00,  // loop: mov [0x0000], al
    0xeb, 0xfb,        //       jmp loop
};

constexpr std::uint8_t kCpuidLoop[] = {
    0x66, 0x31, 0xc0,  // loop: xor eax, eax
    0x0f, 0xa2,        //       cpuid
    0x66, 0x4e,        //       dec esi
    0x75, 0xf7,        //       jnz loop
    0xe6, 0x11,        //       out 0x11, al
    0xf4,              //       hlt
};

constexpr std::uint8_t kComputeLoop[] = {
    0x66, 0x69, 0xc0, 0x6d, 0x4e, 0xc6, 0x41,  // loop: imul eax, eax, 1103515245
    0x66, 0x05, 0x39, 0x30, 0x00, 0x00,        //       add eax, 12345
    0x66, 0x4e,                                //       dec esi
    0x75, 0xef,                                //       jnz loop
    0xe6, 0x11,                                //       out 0x11, al
    0xf4,                                      //       hlt
};

constexpr GuestProgram kReset{"reset_vector", kResetVector, kIoLoop};
constexpr GuestProgram kIo{"io_loop", 0x1000, kIoLoop};
constexpr GuestProgram kMmio{"mmio_loop", 0x1100, kMmioLoop};
constexpr GuestProgram kCpuid{"cpuid_loop", 0x1200, kCpuidLoop};
constexpr GuestProgram kCompute{"compute_loop", 0x1300, kComputeLoop};
constexpr const GuestProgram* kAll[] = {&kReset, &kIo, &kMmio, &kCpuid, &kCompute};

}  // namespace

const GuestProgram& reset_vector() { return kReset; }
const GuestProgram& io_loop() { return kIo; }
const GuestProgram& mmio_loop() { return kMmio; }
const GuestProgram& cpuid_loop() { return kCpuid; }
const GuestProgram& compute_loop() { return kCompute; }
std::span<const GuestProgram* const> all_programs() { return kAll; }

std::uint32_t host_compute_loop(std::uint32_t seed, std::uint32_t iterations) {
  if (iterations == 0) return seed;
  std::uint32_t value = seed;
  // The guest's loop, instruction for instruction; asm so the compiler cannot fold it.
  asm volatile(
      "1:\n\t"
      "imull $1103515245, %0, %0\n\t"
      "addl $12345, %0\n\t"
      "decl %1\n\t"
      "jnz 1b"
      : "+r"(value), "+r"(iterations)
      :
      : "cc");
  return value;
}

}  // namespace isobench::kvm
