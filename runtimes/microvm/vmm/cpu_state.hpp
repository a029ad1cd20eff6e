// The microvm vCPU's state at the workload's first instruction: 64-bit user mode at the
// ELF entry, and the supervisor wired to take its system calls (MSR_STAR, MSR_LSTAR) and
// its faults (a GDT, an IDT and a TSS in guest memory), as an x86 kernel wires them.
#pragma once

#include <cstdint>

#include "runtimes/common/error.hpp"
#include "runtimes/kvm/kvm_vm.hpp"

namespace isobench::microvm {

// Where `syscall` lands: in ring 0, as on the CPU (hardware KVM), or still in the guest's
// user mode, as the kvm_pvm of these machines delivers it (HOST-NOTES.md, "KVM").
enum class Supervision { kRing0, kUserMode };

const char* to_string(Supervision supervision);  // "ring0", "user"

// Copies the supervisor into the guest's low memory (`low` is guest physical 0) with
// what it answers alone (getpid) and how it returns, and writes the GDT, IDT and TSS.
void install_supervisor(std::byte* low, Supervision supervision, std::uint32_t answered_pid);

// Registers, special registers and MSRs: user mode at `entry` with `rsp`, page tables at
// `cr3`.
Result<void> set_initial_state(kvm::KvmVcpu& vcpu, std::uint64_t cr3, std::uint64_t entry,
                               std::uint64_t rsp);

// The guest clock the supervisor answers clock_gettime from: the vCPU's TSC rate
// (KVM_GET_TSC_KHZ) and its TSC read through KVM (MSR 0x10) beside the host's monotonic
// and real-time clocks, into the data page. `low` is guest physical 0.
Result<void> set_guest_clock(kvm::KvmVcpu& vcpu, std::byte* low);

// MSR_FS_BASE, the workload's TLS base (arch_prctl ARCH_GET_FS).
Result<std::uint64_t> fs_base(kvm::KvmVcpu& vcpu);

}  // namespace isobench::microvm
