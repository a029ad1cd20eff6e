// A small deterministic generator for resampling: the same seed gives the same intervals
// on every machine and standard library (std::uniform_int_distribution's algorithm is
// left to the implementation, so it is not used).
#pragma once

#include <cstdint>

namespace isobench::stats {

inline constexpr std::uint64_t kDefaultSeed = 0x150be4c4u;

// SplitMix64 (Steele, Lea and Flood 2014): passes BigCrush, one state word.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, bound) by Lemire's multiply-shift; the bias, at most bound / 2^64, is
  // far below anything a resample of benchmark repetitions can show.
  std::uint64_t below(std::uint64_t bound) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * bound) >> 64);
  }

 private:
  std::uint64_t state_;
};

}  // namespace isobench::stats
