#include "kernels.h"

static uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

void isobench_hash_fill(uint64_t* words, uint64_t count, uint64_t seed) {
  uint64_t state = seed;
  for (uint64_t i = 0; i < count; ++i) words[i] = splitmix64(&state);
}

uint64_t isobench_hash_rounds(const uint64_t* words, uint64_t count, uint64_t rounds) {
  uint64_t h = 0x243F6A8885A308D3ULL;
  for (uint64_t r = 0; r < rounds; ++r) {
    h ^= r;
    for (uint64_t i = 0; i < count; ++i) {
      h = (h ^ words[i]) * 0xFF51AFD7ED558CCDULL;
      h ^= h >> 33;
    }
  }
  return h;
}

uint32_t isobench_compute_loop(uint32_t seed, uint32_t iterations) {
  if (iterations == 0) return seed;
  uint32_t value = seed;
  // asm so that the compiler can neither fold the loop nor vectorize it: the guest and
  // the host run exactly these four instructions per iteration.
  __asm__ volatile(
      "1:\n\t"
      "imull $1103515245, %0, %0\n\t"
      "addl $12345, %0\n\t"
      "decl %1\n\t"
      "jnz 1b"
      : "+r"(value), "+r"(iterations)
      :
      : "cc");
  return value;
}
