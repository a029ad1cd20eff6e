// The microvm supervisor: the only code in the guest besides the workload. It hands the
// workload's system calls to the VMM and reports its faults; it keeps no state and never
// touches the workload's stack (a system call must leave the red zone below RSP intact).
// Absolute addresses (guest_layout.h), so the page can be copied anywhere in the VMM and
// run at MICROVM_SUPERVISOR in the guest.
//
// getpid, clock_gettime (realtime, monotonic) and glibc's start-up calls that need no
// host (arch_prctl ARCH_SET_FS, set_tid_address, set_robust_list, rseq) are answered
// here without the VMM.
// `syscall` enters at MSR_LSTAR with the return RIP in RCX and RFLAGS in R11. Hardware
// KVM enters it in ring 0, as the CPU does, and `sysretq` goes back. The kvm_pvm of these
// machines delivers it in the guest's user mode (CS stays 0x33: HOST-NOTES.md, "KVM"),
// where sysretq would fault; there the return is a jump to RCX. The VMM says which in the
// data page (MICROVM_DATA_RETURN_BY_JUMP), and checks the mode at the first call.
// Faults come through the IDT into ring 0 on the TSS's RSP0 stack, under both.
#include "guest_layout.h"

        .section .rodata.isobench_microvm_supervisor, "a"
        .balign 4096
        .globl isobench_microvm_supervisor
isobench_microvm_supervisor:

        .org isobench_microvm_supervisor + MICROVM_ENTRY_SYSCALL
        // getpid needs no host: the VMM left the answer in the data page.
        cmpl $MICROVM_SYSCALL_GETPID, %eax
        jne 4f
        movq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_PID, %rax
        jmp 2f
        // clock_gettime(CLOCK_REALTIME or CLOCK_MONOTONIC, ts) from the guest's TSC, the way
        // a vDSO answers it; other clocks go to the VMM. RDX is the caller's (rdtsc and
        // the multiply use it), so it waits in the data page; the flags are clobbered, as a
        // system call's are.
4:      cmpl $MICROVM_SYSCALL_CLOCK_GETTIME, %eax
        jne 7f
        cmpq $1, %rdi
        ja 1f
        movq %rdx, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_SCRATCH
        rdtsc
        shlq $32, %rdx
        orq %rdx, %rax
        subq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_TSC_BASE, %rax
        mulq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_NS_PER_TICK_32
        shrdq $32, %rdx, %rax
        testq %rdi, %rdi
        jnz 5f
        addq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_REALTIME_BASE, %rax
        jmp 6f
5:      addq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_MONOTONIC_BASE, %rax
6:      xorl %edx, %edx
        divq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_BILLION
        movq %rax, (%rsi)
        movq %rdx, 8(%rsi)
        movq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_SCRATCH, %rdx
        xorl %eax, %eax
        jmp 2f
        // glibc's start-up calls that concern a kernel's thread bookkeeping (none here:
        // one thread, no kernel) and the TLS base (wrfsbase: CR4.FSGSBASE is on).
7:      cmpl $MICROVM_SYSCALL_SET_ROBUST_LIST, %eax
        jne 8f
        xorl %eax, %eax
        jmp 2f
8:      cmpl $MICROVM_SYSCALL_RSEQ, %eax
        jne 9f
        movq $-38, %rax              // ENOSYS
        jmp 2f
9:      cmpl $MICROVM_SYSCALL_SET_TID_ADDRESS, %eax
        jne 10f
        movq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_PID, %rax
        jmp 2f
10:     cmpl $MICROVM_SYSCALL_ARCH_PRCTL, %eax
        jne 1f
        cmpq $MICROVM_ARCH_SET_FS, %rdi
        jne 1f
        wrfsbase %rsi
        xorl %eax, %eax
        jmp 2f
        // The arguments go to the data page, the number leaves as the MMIO store's value;
        // the VMM writes the result into the data page before it resumes the vCPU.
1:      movq %rdi, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 0
        movq %rsi, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 8
        movq %rdx, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 16
        movq %r10, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 24
        movq %r8, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 32
        movq %r9, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_ARGS + 40
        movq %rax, MICROVM_EXIT_SYSCALL
        movq MICROVM_SUPERVISOR_DATA + MICROVM_DATA_RESULT, %rax
2:      cmpb $0, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_RETURN_BY_JUMP
        jne 3f
        sysretq
3:      jmp *%rcx

// The IDT's gates, one stub per exception vector: the vector to the data page, then the
// exit; the exception frame is on the RSP0 stack for the VMM to read.
        .org isobench_microvm_supervisor + MICROVM_ENTRY_FAULTS
        .irp vector, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .balign MICROVM_FAULT_STUB_BYTES
        movq $\vector, MICROVM_SUPERVISOR_DATA + MICROVM_DATA_FAULT_VECTOR
        movq %rax, MICROVM_EXIT_FAULT
        jmp .
        .endr

        .org isobench_microvm_supervisor + 4096
        .globl isobench_microvm_supervisor_end
isobench_microvm_supervisor_end:
        .section .note.GNU-stack, "", @progbits
