#include "blocked_test.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "descriptive.hpp"

namespace isobench::stats {
namespace {

// The exact null's DP costs K x K(K + 1) steps: 64 million at 400 effects (well under a
// second); beyond, the normal approximation is within a hair of it.
constexpr std::size_t kExactLimit = 400;

}  // namespace

std::optional<double> block_log_effect(const Block& block) {
  if (block.base.empty() || block.next.empty()) return std::nullopt;
  std::vector<double> log_ratios;
  log_ratios.reserve(block.base.size() * block.next.size());
  for (double a : block.base)
    for (double b : block.next) {
      if (!(a > 0) || !(b > 0)) return std::nullopt;
      log_ratios.push_back(std::log(b) - std::log(a));
    }
  return median(log_ratios);
}

std::optional<std::vector<double>> block_log_effects(std::span<const Block> blocks) {
  std::vector<double> out;
  for (const Block& block : blocks) {
    if (block.base.empty() || block.next.empty()) continue;
    auto effect = block_log_effect(block);
    if (!effect) return std::nullopt;
    out.push_back(*effect);
  }
  return out;
}

TestResult signed_rank(std::span<const double> effects) {
  TestResult out;
  std::vector<std::pair<double, bool>> magnitudes;  // |effect|, positive
  for (double e : effects)
    if (e != 0) magnitudes.emplace_back(std::abs(e), e > 0);
  const std::size_t n = magnitudes.size();
  if (n == 0) return out;
  std::sort(magnitudes.begin(), magnitudes.end(), [](auto& x, auto& y) { return x.first < y.first; });
  // Twice the mean ranks: whole numbers even for ties, so the exact null counts them.
  std::vector<std::uint64_t> doubled(n);
  double tie_term = 0;
  std::uint64_t w_doubled = 0;
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && magnitudes[j].first == magnitudes[i].first) ++j;
    for (std::size_t k = i; k < j; ++k) {
      doubled[k] = i + 1 + j;  // (i + 1) + j = 2 x the mean of ranks i+1 .. j
      if (magnitudes[k].second) w_doubled += doubled[k];
    }
    double t = static_cast<double>(j - i);
    tie_term += t * t * t - t;
    i = j;
  }
  out.statistic = static_cast<double>(w_doubled) / 2;
  const std::uint64_t total = static_cast<std::uint64_t>(n) * (n + 1);  // sum of the doubled ranks
  if (n <= kExactLimit) {
    // P(2 W+ = s) under "symmetric about 0": each effect positive with probability 1/2.
    std::vector<double> pmf(total + 1, 0.0);
    pmf[0] = 1;
    std::uint64_t reach = 0;
    for (std::uint64_t r : doubled) {
      for (std::uint64_t s = reach + r; s >= r; --s) pmf[s] = (pmf[s] + pmf[s - r]) / 2;
      for (std::uint64_t s = std::min(reach, r - 1) + 1; s-- > 0;) pmf[s] /= 2;
      reach += r;
    }
    double lower = 0, upper = 0;
    for (std::uint64_t s = 0; s <= total; ++s) {
      if (s <= w_doubled) lower += pmf[s];
      if (s >= w_doubled) upper += pmf[s];
    }
    out.p_value = std::min(1.0, 2 * std::min(lower, upper));
    out.exact = true;
    return out;
  }
  const double nn = static_cast<double>(n);
  const double mean = nn * (nn + 1) / 4;
  const double variance = nn * (nn + 1) * (2 * nn + 1) / 24 - tie_term / 48;
  if (!(variance > 0)) return out;
  double z = std::max(0.0, std::abs(out.statistic - mean) - 0.5) / std::sqrt(variance);
  out.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return out;
}

double signed_rank_smallest_p(std::size_t effects) {
  if (effects == 0) return 1;
  return std::min(1.0, std::ldexp(2.0, -static_cast<int>(std::min<std::size_t>(effects, 2000))));
}

std::optional<double> walsh_median(std::span<const double> effects) {
  if (effects.empty()) return std::nullopt;
  std::vector<double> averages;
  averages.reserve(effects.size() * (effects.size() + 1) / 2);
  for (std::size_t i = 0; i < effects.size(); ++i)
    for (std::size_t j = i; j < effects.size(); ++j) averages.push_back((effects[i] + effects[j]) / 2);
  return median(averages);
}

}  // namespace isobench::stats
