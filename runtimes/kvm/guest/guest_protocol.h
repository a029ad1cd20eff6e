// What the kvm backend's VMM and its guest agree on: where things are in the guest's
// address space (identity-mapped: virtual = physical), and the mailbox through which the
// VMM asks the guest to run one kernel at a time.
//
// Guest physical (= virtual) layout:
//   0x1000            the mailbox (one page)
//   0x2000            page tables: PML4, PDPT, then the page directories
//   0x10000-0x100000  the stack (grows down from 0x100000)
//   0x200000-0x400000 mapped by the page tables but backed by no memory slot: a store
//                     there leaves the guest as KVM_EXIT_MMIO, the one exit that works in
//                     every guest mode under every KVM (hardware KVM and PVM)
//   0x400000-         RAM: the guest image (linked here), then the heap the VMM hands
//                     out for kernel buffers, then the 4 KiB page tables if any
//
// Plain C: the guest is built without any C++ runtime.
#pragma once

#include <stdint.h>

#define ISOBENCH_GUEST_MAILBOX 0x1000ull
#define ISOBENCH_GUEST_PAGE_TABLES 0x2000ull
#define ISOBENCH_GUEST_STACK_TOP 0x100000ull
#define ISOBENCH_GUEST_LOW_BYTES 0x200000ull  /* memory slot 0: [0, this) */
#define ISOBENCH_GUEST_REPORT 0x200000ull     /* store here: "done" */
#define ISOBENCH_GUEST_MMIO_LOOP 0x200040ull  /* the MMIO loop's target */
#define ISOBENCH_GUEST_RAM_BASE 0x400000ull   /* memory slot 1 starts here */

// The operations; arguments and results are in the mailbox.
enum isobench_guest_op {
  ISOBENCH_OP_REPORT = 0,        // nothing: report at once (the first exit)
  ISOBENCH_OP_HASH_FILL = 1,     // (words, count, seed)
  ISOBENCH_OP_HASH_ROUNDS = 2,   // (words, count, rounds) -> digest
  ISOBENCH_OP_TRIAD_FILL = 3,    // (a, b, c, n)
  ISOBENCH_OP_TRIAD = 4,         // (a, b, c, n, scalar's bits) -> valid
  ISOBENCH_OP_CHASE_BUILD = 5,   // (nodes, order, lines)
  ISOBENCH_OP_CHASE = 6,         // (start, hops) -> end
  ISOBENCH_OP_RANDOM_FILL = 7,   // (words, count)
  ISOBENCH_OP_RANDOM = 8,        // (words, mask, updates, seed) -> digest
  ISOBENCH_OP_TOUCH = 9,         // (p, bytes, stride) -> writes
  ISOBENCH_OP_COMPUTE_LOOP = 10, // (seed, iterations) -> value
  ISOBENCH_OP_MMIO_LOOP = 11,    // store to ISOBENCH_GUEST_MMIO_LOOP forever
  ISOBENCH_OP_SPIN = 12,         // loop forever without an exit (the watchdog's test)
  // Kernel mode (ring 0, hardware KVM) only: in user mode each faults.
  ISOBENCH_OP_PORT_IO_LOOP = 20, // `out` to ISOBENCH_GUEST_PORT forever
  ISOBENCH_OP_CPUID_LOOP = 21,   // (count) times cpuid leaf 0, then report
  ISOBENCH_OP_HLT = 22,          // hlt, then report when resumed
};

#define ISOBENCH_GUEST_PORT 0x10

struct isobench_guest_mailbox {
  uint64_t op;
  uint64_t arg[6];
  uint64_t result;
  uint64_t done;  // the number of operations the guest has finished
};
