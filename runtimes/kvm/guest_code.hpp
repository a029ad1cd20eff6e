// The guest: a few real-mode (16-bit) x86 programs, hand-assembled, loaded together into
// the first page of guest code. Each starts at its own entry point; counts and seeds come
// in registers (ESI, EAX) so the host can size a run without rewriting guest memory.
#pragma once

#include <cstdint>
#include <span>

namespace isobench::kvm {

// Guest-physical layout. Guest RAM is [0, kGuestMemoryBytes); kMmioAddress lies just
// past it, so guest accesses there exit to the VMM as MMIO.
inline constexpr std::uint64_t kGuestMemoryBytes = 0x10000;
inline constexpr std::uint64_t kMmioAddress = 0x10000;

// Ports the programs write to.
inline constexpr std::uint16_t kLoopPort = 0x10;  // one exit per loop iteration
inline constexpr std::uint16_t kDonePort = 0x11;  // a counted loop has finished

struct GuestProgram {
  const char* name;
  std::uint16_t entry;                    // guest-physical address (= IP, CS base 0)
  std::span<const std::uint8_t> code;
};

// `out kLoopPort, al` forever: every KVM_RUN returns with one port I/O exit. Its first
// instruction exits, so it also serves as the first program a new VM runs.
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
