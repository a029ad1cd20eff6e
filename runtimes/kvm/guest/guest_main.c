// The kvm backend's guest: no OS, no interrupts, one loop. It runs the operation the
// VMM left in the mailbox (a workload kernel from bench/kernels), then stores to the
// report address, which exits to the VMM; the VMM's next KVM_RUN resumes it right after
// that store, at the top of the loop. The VMM enters at isobench_guest_main with RSP
// set (ISOBENCH_GUEST_STACK_TOP - 8, as after a call).
#include "bench/kernels/kernels.h"
#include "guest_protocol.h"

static void report(volatile struct isobench_guest_mailbox* box) {
  box->done = box->done + 1;
  *(volatile uint64_t*)ISOBENCH_GUEST_REPORT = box->op;
}

static double as_double(uint64_t bits) {
  union {
    uint64_t bits;
    double value;
  } u = {bits};
  return u.value;
}

static uint64_t run(const volatile struct isobench_guest_mailbox* box) {
  const uint64_t* a = (const uint64_t*)box->arg;
  switch (box->op) {
    case ISOBENCH_OP_HASH_FILL: isobench_hash_fill((uint64_t*)a[0], a[1], a[2]); return 0;
    case ISOBENCH_OP_HASH_ROUNDS: return isobench_hash_rounds((const uint64_t*)a[0], a[1], a[2]);
    case ISOBENCH_OP_TRIAD_FILL: isobench_triad_fill((double*)a[0], (double*)a[1], (double*)a[2], a[3]); return 0;
    case ISOBENCH_OP_TRIAD:
      isobench_triad((double*)a[0], (const double*)a[1], (const double*)a[2], a[3], as_double(a[4]));
      return (uint64_t)isobench_triad_valid((const double*)a[0], a[3]);
    case ISOBENCH_OP_CHASE_BUILD: isobench_chase_build((void*)a[0], (uint32_t*)a[1], a[2]); return 0;
    case ISOBENCH_OP_CHASE: return (uint64_t)isobench_chase((void*)a[0], a[1]);
    case ISOBENCH_OP_RANDOM_FILL: isobench_random_fill((uint64_t*)a[0], a[1]); return 0;
    case ISOBENCH_OP_RANDOM: return isobench_random_access((uint64_t*)a[0], a[1], a[2], a[3]);
    case ISOBENCH_OP_TOUCH: return isobench_touch_pages((uint8_t*)a[0], a[1], a[2]);
    case ISOBENCH_OP_COMPUTE_LOOP: return isobench_compute_loop((uint32_t)a[0], (uint32_t)a[1]);
    case ISOBENCH_OP_MMIO_LOOP:
      for (;;) *(volatile uint64_t*)ISOBENCH_GUEST_MMIO_LOOP = 1;
    case ISOBENCH_OP_SPIN:
      for (;;) __asm__ volatile("" ::: "memory");
    case ISOBENCH_OP_PORT_IO_LOOP:
      for (;;) __asm__ volatile("outb %%al, %0" ::"i"(ISOBENCH_GUEST_PORT), "a"(0));
    case ISOBENCH_OP_CPUID_LOOP:
      for (uint64_t i = 0; i < a[0]; ++i) {
        uint32_t eax = 0, ebx, ecx = 0, edx;
        __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
      }
      return a[0];
    case ISOBENCH_OP_HLT: __asm__ volatile("hlt"); return 0;
    default: return 0;
  }
}

__attribute__((noreturn)) void isobench_guest_main(void) {
  volatile struct isobench_guest_mailbox* box = (volatile struct isobench_guest_mailbox*)ISOBENCH_GUEST_MAILBOX;
  for (;;) {
    box->result = run(box);
    report(box);
  }
}
