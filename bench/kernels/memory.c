#include "kernels.h"

enum { kLineBytes = 64 };

struct line {
  struct line* next;
  char pad[kLineBytes - sizeof(struct line*)];
};

void isobench_triad_fill(double* a, double* b, double* c, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    a[i] = 0.0;
    b[i] = 1.0;
    c[i] = 2.0;
  }
}

void isobench_triad(double* a, const double* b, const double* c, uint64_t n, double scalar) {
  for (uint64_t i = 0; i < n; ++i) a[i] = b[i] + scalar * c[i];
}

int isobench_triad_valid(const double* a, uint64_t n) {
  return n == 0 || (a[0] == 7.0 && a[n / 2] == 7.0 && a[n - 1] == 7.0);
}

void isobench_chase_build(void* nodes, uint32_t* order, uint64_t lines) {
  struct line* line = (struct line*)nodes;
  for (uint64_t i = 0; i < lines; ++i) order[i] = (uint32_t)i;
  uint64_t x = 0x9E3779B97F4A7C15ULL;
  for (uint64_t i = lines - 1; i > 0; --i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t j = x % i;
    uint32_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  for (uint64_t i = 0; i < lines; ++i) line[i].next = &line[order[i]];
}

void* isobench_chase(void* start, uint64_t hops) {
  struct line* p = (struct line*)start;
  for (uint64_t i = 0; i < hops; ++i) p = p->next;
  return p;
}

void isobench_random_fill(uint64_t* words, uint64_t count) {
  for (uint64_t i = 0; i < count; ++i) words[i] = i * 0x9E3779B97F4A7C15ULL;
}

uint64_t isobench_random_access(uint64_t* words, uint64_t mask, uint64_t updates, uint64_t seed) {
  uint64_t x = seed | 1, sum = 0;
  for (uint64_t i = 0; i < updates; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    uint64_t* word = &words[x & mask];
    uint64_t value = *word;
    sum += value;
    *word = value ^ x;
  }
  return sum;
}

uint64_t isobench_touch_pages(uint8_t* p, uint64_t bytes, uint64_t stride) {
  uint64_t writes = 0;
  for (uint64_t offset = 0; offset < bytes; offset += stride, ++writes) ((volatile uint8_t*)p)[offset] = 1;
  return writes;
}
