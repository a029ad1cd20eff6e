#include <algorithm>
#include <cstdlib>
#include <string>

#include "density.hpp"

namespace isobench {

std::uint64_t density_reserve(const MemInfo& info) {
  if (const char* forced = std::getenv("ISOBENCH_DENSITY_RESERVE_BYTES")) {
    char* end = nullptr;
    unsigned long long value = std::strtoull(forced, &end, 10);
    if (end != forced && *end == '\0') return value;
  }
  return std::max<std::uint64_t>(1ull << 30, info.total / 8);
}

std::uint64_t density_estimate(bool boots_guest_os, std::uint64_t guest_memory_bytes, std::uint64_t drop_so_far,
                               std::uint64_t launched) {
  std::uint64_t estimate = boots_guest_os ? guest_memory_bytes + (256ull << 20) : 64ull << 20;
  if (launched > 0) estimate = std::max(estimate, drop_so_far / launched);
  return estimate;
}

bool one_more_fits(const MemInfo& now, std::uint64_t estimate, std::uint64_t reserve) {
  return now.available >= reserve && now.available - reserve >= estimate;
}

}  // namespace isobench
