// isobench-first-steps: what a fresh process's first steps cost where it runs: a cpuid
// (glibc's start-up executes about twenty) and the first write to each of 1,024 fresh
// 4 KiB stack pages. Static, so that it runs unchanged on the host and as the only
// program of a microvm guest, where both trap to the hypervisor:
//   isobench-first-steps
//   isobench-microvm -- isobench-first-steps
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

static int64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(void) {
  enum { kCpuids = 1000, kPages = 1024 };
  unsigned a, b, c, d;
  int64_t start = now_ns();
  for (int i = 0; i < kCpuids; ++i) __cpuid(0, a, b, c, d);
  int64_t cpuid_ns = now_ns() - start;
  volatile char pages[kPages * 4096];
  start = now_ns();
  for (int i = 0; i < kPages; ++i) pages[i * 4096] = 1;
  int64_t touch_ns = now_ns() - start;
  (void)pages[0];
  printf("{\"cpuid_ns\":%.1f,\"first_touch_ns_per_page\":%.1f}\n", (double)cpuid_ns / kCpuids,
         (double)touch_ns / kPages);
  return 0;
}
