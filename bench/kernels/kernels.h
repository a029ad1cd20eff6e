// The workload's compute and memory kernels, compiled once as freestanding code (no
// libc, no TLS, no stack protector, no calls the compiler invents) and linked both into
// the static workload binary and into the kvm backend's 64-bit guest image, so that a
// bare process, a container, a Linux guest and the kvm guest execute the same machine
// code. Each kernel is deterministic: the same arguments give the same digest anywhere.
//
// Plain C linkage and types only: the guest image is linked without libstdc++.
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

// ---- the sizes and seeds every runner uses, so that digests agree ---------------------
// The hash's words: 1 MiB, seeded with 1.
#define ISOBENCH_HASH_WORDS ((uint64_t)(1u << 20) / sizeof(uint64_t))
#define ISOBENCH_HASH_SEED 1
// Random access: the largest power of two of words in `bytes`, one update per 32 words,
// a warm-up of an eighth of the updates (seed 7), then the timed run (seed 12345).
static inline uint64_t isobench_random_words(uint64_t bytes) {
  uint64_t words = 1;
  while (words * 2 * sizeof(uint64_t) <= bytes) words *= 2;
  return words;
}
static inline uint64_t isobench_random_updates(uint64_t words) { return words / 32; }
#define ISOBENCH_RANDOM_WARM_SEED 7
#define ISOBENCH_RANDOM_SEED 12345

// ---- cpu: a multiply-xorshift hash over generated words -------------------------------
// Fills `count` words from splitmix64 seeded with `seed`.
void isobench_hash_fill(uint64_t* words, uint64_t count, uint64_t seed);
// `rounds` passes over the words, each word's step depending on the last: the core's
// integer latency, not memory's. Returns the digest.
uint64_t isobench_hash_rounds(const uint64_t* words, uint64_t count, uint64_t rounds);

// ---- mem: STREAM's triad ---------------------------------------------------------------
// a = 0, b = 1, c = 2 over n elements (written before timed passes, so page faults fall
// outside them).
void isobench_triad_fill(double* a, double* b, double* c, uint64_t n);
// One pass of a[i] = b[i] + scalar * c[i].
void isobench_triad(double* a, const double* b, const double* c, uint64_t n, double scalar);
// STREAM's check: a holds b + 3 * c at its first, middle and last elements (1 or 0).
int isobench_triad_valid(const double* a, uint64_t n);

// ---- mem: pointer chase (latency) ------------------------------------------------------
// `lines` 64-byte lines at `nodes`, linked into one random cycle (Sattolo's shuffle
// with a fixed xorshift sequence); `order` is scratch for `lines` 32-bit indices.
void isobench_chase_build(void* nodes, uint32_t* order, uint64_t lines);
// Follows `hops` links from `start`; returns where it ended.
void* isobench_chase(void* start, uint64_t hops);

// ---- mem: random access over a buffer far beyond the TLB's reach -----------------------
// Word i = i * golden ratio, for `count` words.
void isobench_random_fill(uint64_t* words, uint64_t count);
// `updates` read-modify-writes of the word at a xorshift64 index masked by `mask`
// (count - 1, count a power of two): independent accesses, each a cache and (beyond the
// TLB's reach) a TLB miss, so page size and the hypervisor's paging show. Returns the
// sum of the values read (a digest).
uint64_t isobench_random_access(uint64_t* words, uint64_t mask, uint64_t updates, uint64_t seed);

// ---- memory as the hypervisor sees it --------------------------------------------------
// Writes one byte every `stride` bytes of [p, p + bytes): on memory never touched, every
// write is a first touch (a page fault on the host, an EPT violation or PVM shadow fault
// in a guest). Returns the number of writes.
uint64_t isobench_touch_pages(uint8_t* p, uint64_t bytes, uint64_t stride);

// ---- the hypervisor suite's loop -------------------------------------------------------
// `iterations` times x = x * 1103515245 + 12345, in registers only (no memory, no exit).
uint32_t isobench_compute_loop(uint32_t seed, uint32_t iterations);

#ifdef __cplusplus
}
#endif
