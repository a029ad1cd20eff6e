// The vCPU state of a 64-bit guest with paging on, from its first instruction.
//
// User mode (CPL 3) is what PVM runs on the CPU: it runs a guest's user mode as host
// user mode, and hands real mode and CPL 0 to KVM's instruction emulator (HOST-NOTES.md,
// "KVM"). Hardware KVM runs both natively; kernel mode (CPL 0) adds what user mode may
// not do: port I/O, hlt (cpuid too is trapped by hardware KVM in either mode).
#pragma once

#include <linux/kvm.h>

#include <cstdint>

namespace isobench::kvm {

enum class GuestMode { kUser, kKernel };

const char* to_string(GuestMode mode);  // "user", "kernel"

// CR0 PG|AM|WP|NE|ET|MP|PE; CR4 PAE|OSFXSR|OSXMMEXCPT (SSE, as the kernels are compiled);
// EFER NXE|LMA|LME|SCE; flat 64-bit code and data segments at the mode's privilege
// level; a zero (not present) LDT and a present 64-bit TSS, which VMX's entry checks require.
// `sregs` holds the vCPU's current state (KVM_GET_SREGS): the fields set here replace
// it, the rest (APIC base, interrupt bitmap) stays.
void set_long_mode(kvm_sregs& sregs, GuestMode mode, std::uint64_t cr3);

}  // namespace isobench::kvm
