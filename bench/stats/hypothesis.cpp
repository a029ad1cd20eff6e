#include "hypothesis.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numbers>
#include <numeric>
#include <utility>
#include <vector>

#include "descriptive.hpp"

namespace isobench::stats {
namespace {

constexpr std::size_t kExactLimit = 50;

// Counts of U = 0 .. m*n over all C(m+n, m) arrangements, by the recurrence
// f(m, n, u) = f(m-1, n, u-n) + f(m, n-1, u). Doubles: C(100, 50) is about 1e29, and
// only ratios of counts are used, so the rounding is far below any alpha.
std::vector<double> exact_u_counts(std::size_t m, std::size_t n) {
  std::vector<std::vector<double>> row(n + 1, std::vector<double>{1.0});  // m = 0
  for (std::size_t i = 1; i <= m; ++i) {
    std::vector<std::vector<double>> next(n + 1);
    next[0] = {1.0};
    for (std::size_t j = 1; j <= n; ++j) {
      std::vector<double>& f = next[j];
      f.assign(i * j + 1, 0.0);
      const std::vector<double>& fewer_a = row[j];       // (i-1, j), shifted by j
      const std::vector<double>& fewer_b = next[j - 1];  // (i, j-1)
      for (std::size_t u = 0; u < fewer_a.size(); ++u) f[u + j] += fewer_a[u];
      for (std::size_t u = 0; u < fewer_b.size(); ++u) f[u] += fewer_b[u];
    }
    row = std::move(next);
  }
  return row[n];
}

// Cumulative distribution of U for (m, n), cached: a comparison tests many benchmarks
// with the same repetition counts.
const std::vector<double>& exact_u_cdf(std::size_t m, std::size_t n) {
  static std::mutex mutex;
  static std::map<std::pair<std::size_t, std::size_t>, std::vector<double>> cache;
  std::lock_guard lock(mutex);
  std::pair<std::size_t, std::size_t> key{std::min(m, n), std::max(m, n)};
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::vector<double> counts = exact_u_counts(key.first, key.second);
  double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  std::vector<double> cdf(counts.size());
  double running = 0;
  for (std::size_t u = 0; u < counts.size(); ++u) {
    running += counts[u];
    cdf[u] = running / total;
  }
  return cache.emplace(key, std::move(cdf)).first->second;
}

// x with erfc(x) = y, for 0 < y < 2: Newton's method from a rough start; erfc is
// smooth and monotonic, and a few steps reach double precision.
double inverse_erfc(double y) {
  double x = 0;
  for (int i = 0; i < 100; ++i) {
    double step = (std::erfc(x) - y) / (-2 / std::sqrt(std::numbers::pi) * std::exp(-x * x));
    x -= step;
    if (std::abs(step) < 1e-14) break;
  }
  return x;
}

}  // namespace

const std::vector<double>& mann_whitney_u_cdf(std::size_t m, std::size_t n) { return exact_u_cdf(m, n); }

double mann_whitney_smallest_p(std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) return 1;
  // 2 / C(m+n, m) in log space.
  double log_choose = std::lgamma(static_cast<double>(m + n) + 1) - std::lgamma(static_cast<double>(m) + 1) -
                      std::lgamma(static_cast<double>(n) + 1);
  return std::min(1.0, 2 * std::exp(-log_choose));
}

TestResult mann_whitney_u(std::span<const double> a, std::span<const double> b) {
  TestResult out;
  std::size_t m = a.size(), n = b.size();
  if (m == 0 || n == 0) return out;

  // Midranks of the pooled sample; `tie_term` is sum(t^3 - t) over groups of ties.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(m + n);
  for (double v : a) pooled.emplace_back(v, true);
  for (double v : b) pooled.emplace_back(v, false);
  std::sort(pooled.begin(), pooled.end(), [](auto& x, auto& y) { return x.first < y.first; });
  double rank_sum_a = 0, tie_term = 0;
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    double t = static_cast<double>(j - i);
    double midrank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k)
      if (pooled[k].second) rank_sum_a += midrank;
    tie_term += t * t * t - t;
    i = j;
  }
  double md = static_cast<double>(m), nd = static_cast<double>(n), total = md + nd;
  double u = rank_sum_a - md * (md + 1) / 2;
  out.statistic = u;

  if (tie_term == 0 && m <= kExactLimit && n <= kExactLimit) {
    // The distribution of U is symmetric about mn/2: P(U <= k) = P(U >= mn - k).
    const std::vector<double>& cdf = exact_u_cdf(m, n);
    double smaller = std::min(u, md * nd - u);
    auto k = static_cast<std::size_t>(std::llround(smaller));
    out.p_value = std::min(1.0, 2 * cdf[k]);
    out.exact = true;
    return out;
  }
  double variance = md * nd / 12 * ((total + 1) - tie_term / (total * (total - 1)));
  if (!(variance > 0)) return out;  // every value equal: nothing to tell apart
  double z = std::max(0.0, std::abs(u - md * nd / 2) - 0.5) / std::sqrt(variance);
  out.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return out;
}

std::optional<RatioInterval> mann_whitney_ratio_ci(std::span<const double> a, std::span<const double> b,
                                                   double level) {
  std::size_t m = a.size(), n = b.size();
  if (m == 0 || n == 0 || m * n > 4'000'000) return std::nullopt;
  for (auto sample : {a, b})
    for (double v : sample)
      if (!(v > 0)) return std::nullopt;
  std::vector<double> log_a, log_b;
  for (double v : a) log_a.push_back(std::log(v));
  for (double v : b) log_b.push_back(std::log(v));
  bool ties = false;
  {
    std::vector<double> pooled(log_a);
    pooled.insert(pooled.end(), log_b.begin(), log_b.end());
    std::sort(pooled.begin(), pooled.end());
    ties = std::adjacent_find(pooled.begin(), pooled.end()) != pooled.end();
  }
  double tail = (1 - level) / 2;
  double md = static_cast<double>(m), nd = static_cast<double>(n);
  // k: the largest count with P(U < k) <= tail.
  std::size_t k = 0;
  if (!ties && m <= kExactLimit && n <= kExactLimit) {
    const std::vector<double>& cdf = exact_u_cdf(m, n);
    while (k < cdf.size() && cdf[k] <= tail) ++k;  // cdf[k] = P(U <= k) = P(U < k + 1)
  } else {
    // Normal approximation with continuity correction, as R's wilcox.test.
    double z = std::sqrt(2.0) * inverse_erfc(2 * tail);
    double spread = std::sqrt(md * nd * (md + nd + 1) / 12);
    double critical = std::floor(md * nd / 2 - z * spread - 0.5);
    k = critical < 0 ? 0 : static_cast<std::size_t>(critical) + 1;
  }
  if (k == 0) return std::nullopt;
  std::vector<double> differences;
  differences.reserve(m * n);
  for (double x : log_a)
    for (double y : log_b) differences.push_back(y - x);
  std::size_t total = differences.size();
  std::nth_element(differences.begin(), differences.begin() + static_cast<std::ptrdiff_t>(k - 1), differences.end());
  double low = differences[k - 1];
  std::nth_element(differences.begin(), differences.begin() + static_cast<std::ptrdiff_t>(total - k), differences.end());
  double high = differences[total - k];
  double coverage = level;
  if (!ties && m <= kExactLimit && n <= kExactLimit) coverage = 1 - 2 * exact_u_cdf(m, n)[k - 1];
  return RatioInterval{std::exp(low), std::exp(high), coverage};
}

TestResult permutation_test(std::span<const double> a, std::span<const double> b, int permutations,
                            std::uint64_t seed) {
  TestResult out;
  if (a.empty() || b.empty() || permutations < 1) return out;
  out.statistic = median(b) - median(a);
  double observed = std::abs(out.statistic);
  std::vector<double> pooled(a.begin(), a.end());
  pooled.insert(pooled.end(), b.begin(), b.end());
  SplitMix64 rng(seed);
  std::size_t at_least = 0;
  std::span<const double> all(pooled);
  for (int p = 0; p < permutations; ++p) {
    // Fisher-Yates over the whole pool; the first |a| values play the base sample.
    for (std::size_t i = pooled.size() - 1; i > 0; --i) std::swap(pooled[i], pooled[rng.below(i + 1)]);
    double t = median(all.subspan(a.size())) - median(all.first(a.size()));
    // A relative tolerance so that the identity permutation's own statistic counts.
    if (std::abs(t) >= observed * (1 - 1e-12)) ++at_least;
  }
  out.p_value = static_cast<double>(1 + at_least) / static_cast<double>(1 + permutations);
  return out;
}

}  // namespace isobench::stats
