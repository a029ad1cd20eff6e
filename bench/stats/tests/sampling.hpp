// Deterministic samples for the statistics tests: skewed like repetition times on a
// shared host (a floor plus an exponential tail).
#pragma once

#include <cmath>
#include <vector>

#include "stats/random.hpp"

namespace isobench::stats::testing {

inline double uniform01(SplitMix64& rng) { return (static_cast<double>(rng.next() >> 11) + 0.5) * 0x1.0p-53; }

// floor + exponential(mean = tail): median = floor + tail * ln 2.
inline std::vector<double> skewed_sample(SplitMix64& rng, std::size_t n, double floor, double tail) {
  std::vector<double> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(floor - tail * std::log(uniform01(rng)));
  return out;
}

}  // namespace isobench::stats::testing
