/* The microvm guest's address space, shared by the VMM (C++) and the supervisor
 * (supervisor.S). Virtual = physical: the page tables map every address to itself.
 *
 *   0x0000-0x1000      not mapped: a null pointer faults as it does in a process
 *   0x1000             the supervisor: its code, then the page it shares with the VMM
 *                      (the system call's arguments and result, the fault's vector)
 *   0x4000             GDT, 0x5000 IDT, 0x6000 TSS: faults are taken in ring 0
 *   0x8000-0x10000     page tables (PML4, PDPT, four page directories, the low table)
 *   0x10000-0x20000    the supervisor's stack (PVM's supervisor RSP, the TSS's RSP0)
 *   0x200000-0x400000  mapped, but no memory slot: a store there leaves the guest as
 *                      KVM_EXIT_MMIO, the exit that works in every mode under hardware
 *                      KVM and under PVM (HOST-NOTES.md, "KVM")
 *   0x400000-          RAM: the workload's ELF segments where it was linked, its brk,
 *                      the mmap area, the stack at the top
 * The supervisor's pages are user pages too: under kvm_pvm its system call path runs in
 * the guest's user mode (supervisor.S). This guest isolates nothing from the workload;
 * it exists to measure what a hypervisor costs without a guest OS.
 */
#ifndef ISOBENCH_MICROVM_GUEST_LAYOUT_H
#define ISOBENCH_MICROVM_GUEST_LAYOUT_H

#define MICROVM_SUPERVISOR 0x1000
#define MICROVM_SUPERVISOR_DATA 0x2000
#define MICROVM_GDT 0x4000
#define MICROVM_IDT 0x5000
#define MICROVM_TSS 0x6000
#define MICROVM_PAGE_TABLES 0x8000
#define MICROVM_SUPERVISOR_STACK_TOP 0x20000
#define MICROVM_LOW_BYTES 0x200000

/* Stores that exit to the VMM. */
#define MICROVM_EXIT_SYSCALL 0x200000      /* data: the system call number */
#define MICROVM_EXIT_FAULT 0x200008        /* an exception; its vector is in the data page */
#define MICROVM_SYSCALL_GETPID 39          /* answered inside the guest */
#define MICROVM_SYSCALL_CLOCK_GETTIME 228  /* CLOCK_REALTIME and CLOCK_MONOTONIC: inside too */
/* The calls of glibc's start-up that need no host, answered inside as well: */
#define MICROVM_SYSCALL_ARCH_PRCTL 158     /* ARCH_SET_FS: wrfsbase */
#define MICROVM_ARCH_SET_FS 0x1002
#define MICROVM_SYSCALL_SET_TID_ADDRESS 218 /* the pid: one thread */
#define MICROVM_SYSCALL_SET_ROBUST_LIST 273 /* 0: no other thread to wake */
#define MICROVM_SYSCALL_RSEQ 334           /* -ENOSYS, as a kernel without rseq */

#define MICROVM_RAM_BASE 0x400000

/* Offsets in the supervisor's code page. */
#define MICROVM_ENTRY_SYSCALL 0x000        /* MSR_LSTAR */
#define MICROVM_ENTRY_FAULTS 0x400         /* 32 stubs, one per exception vector (the IDT's) */
#define MICROVM_FAULT_STUB_BYTES 32

/* The data page (MICROVM_SUPERVISOR_DATA): what the supervisor and the VMM exchange. */
#define MICROVM_DATA_ARGS 0x00             /* rdi, rsi, rdx, r10, r8, r9 */
#define MICROVM_DATA_RESULT 0x30           /* rax for the return to the workload */
#define MICROVM_DATA_FAULT_VECTOR 0x38
#define MICROVM_DATA_PID 0x40              /* what getpid answers without leaving the guest */
#define MICROVM_DATA_RETURN_BY_JUMP 0x48   /* 1: syscall arrived in user mode (PVM) */
/* The guest clock: ns = base + ((tsc - tsc_base) * ns_per_tick_32) >> 32, as a vDSO does. */
#define MICROVM_DATA_TSC_BASE 0x50
#define MICROVM_DATA_NS_PER_TICK_32 0x58   /* nanoseconds per TSC tick, times 2^32 */
#define MICROVM_DATA_MONOTONIC_BASE 0x60   /* CLOCK_MONOTONIC at tsc_base, ns */
#define MICROVM_DATA_REALTIME_BASE 0x68    /* CLOCK_REALTIME at tsc_base, ns */
#define MICROVM_DATA_BILLION 0x70          /* 1e9, a divisor in memory */
#define MICROVM_DATA_SCRATCH 0x78          /* RDX while the clock uses it */

#endif
