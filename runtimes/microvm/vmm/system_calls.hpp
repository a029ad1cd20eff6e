// The workload's system calls, performed by the VMM on the host. The guest and the host
// are both x86-64 Linux, so structures need no translation: a guest pointer becomes the
// host address of that guest memory, checked to lie in guest RAM (else -EFAULT).
//
// Every call the workloads make is here (strace of each workload); a call that is not
// answers -ENOSYS and the VMM names it on stderr at once. Every isobench workload checks
// its calls, so the ENOSYS surfaces as that workload's failure (or, in `syscall all`, as
// that operation's "unavailable"). A few are answered without the host on purpose: the
// signal calls (a guest with one thread and no signals), sched_getaffinity (one vCPU).
// getpid, clock_gettime, ARCH_SET_FS, set_tid_address, set_robust_list and rseq never
// reach the VMM: the supervisor answers them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "address_space.hpp"
#include "guest_files.hpp"
#include "runtimes/kvm/kvm_vm.hpp"

namespace isobench::microvm {

struct GuestProcess {
  AddressSpace& space;
  GuestFiles& files;
  kvm::KvmVcpu& vcpu;
  std::optional<int> exit_code;        // exit / exit_group
  std::optional<int> fatal_signal;     // a signal the workload sent itself (abort)
  std::vector<std::string> unsupported;  // "fork (57)", in the order first made
  std::uint64_t calls = 0;             // system calls that reached the VMM
};

// Performs system call `number` with `args` (rdi, rsi, rdx, r10, r8, r9); returns what
// the guest's RAX gets: the result, or -errno.
std::int64_t perform_system_call(GuestProcess& process, std::uint64_t number, const std::array<std::uint64_t, 6>& args);

// "write", "fork", ... or "syscall 436" for one without a name here.
std::string system_call_name(std::uint64_t number);

}  // namespace isobench::microvm
