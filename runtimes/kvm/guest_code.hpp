// The guest: a few real-mode (16-bit) x86 programs, hand-assembled, loaded together into
// guest memory. Each starts at its own entry point; counts and seeds come in registers
// (ESI, EAX) so the host can size a run without rewriting guest memory.
//
// Guest memory is the 64 KiB segment a vCPU fetches from at reset: CS selector 0xf000
// with base 0xffff0000, IP 0xfff0 (the x86 reset vector, where firmware lives). The
// programs never change CS, so an entry point is just an IP, equal to the program's
// offset in guest memory, and a new vCPU needs no register set-up at all before its
// first instruction.
#pragma once

#include <cstdint>
#include <span>

namespace isobench::kvm {

// Guest-physical layout: RAM is [kGuestMemoryBase, kGuestMemoryBase + kGuestMemoryBytes);
// nothing is mapped at kMmioAddress, so guest accesses there exit to the VMM as MMIO.
inline constexpr std::uint64_t kGuestMemoryBase = 0xffff0000;
inline constexpr std::uint64_t kGuestMemoryBytes = 0x10000;
inline constexpr std::uint64_t kMmioAddress = 0x10000;
inline constexpr std::uint16_t kResetVector = 0xfff0;

// Ports the programs write to.
inline constexpr std::uint16_t kLoopPort = 0x10;  // one exit per loop iteration
inline constexpr std::uint16_t kDonePort = 0x11;  // a counted loop has finished

struct GuestProgram {
  const char* name;
  std::uint16_t entry;  // IP, and offset in guest memory
  std::span<const std::uint8_t> code;
};

// io_loop's code at the reset vector: the first instruction a new vCPU runs exits.
const GuestProgram& reset_vector();
// `out kLoopPort, al` forever: every KVM_RUN returns with one port I/O exit.
const GuestProgram& io_loop();
// `mov [kMmioAddress], al` forever: every KVM_RUN returns with one MMIO write exit.
const GuestProgram& mmio_loop();
// ESI times `cpuid` (leaf 0), then `out kDonePort`: cpuid exits to KVM in the kernel
// and is answered there, so this measures the exit round trip without user space.
const GuestProgram& cpuid_loop();
// ESI times EAX = EAX * 1103515245 + 12345, then `out kDonePort`: no exit at all
// while it runs. host_compute_loop() runs the same instructions on the host.
const GuestProgram& compute_loop();

std::span<const GuestProgram* const> all_programs();

// The compute loop's instructions, run natively; returns the final EAX.
std::uint32_t host_compute_loop(std::uint32_t seed, std::uint32_t iterations);

}  // namespace isobench::kvm
