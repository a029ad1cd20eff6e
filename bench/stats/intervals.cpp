#include "intervals.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "descriptive.hpp"

namespace isobench::stats {
namespace {

class Resampler {
 public:
  explicit Resampler(std::uint64_t seed) : rng_(seed) {}

  // The median of a resample (with replacement) of `values`, same size.
  double median_of_resample(std::span<const double> values) {
    scratch_.resize(values.size());
    for (double& slot : scratch_) slot = values[rng_.below(values.size())];
    return median(scratch_);
  }

 private:
  SplitMix64 rng_;
  std::vector<double> scratch_;
};

Interval percentile_interval(std::vector<double>& draws, double level) {
  std::sort(draws.begin(), draws.end());
  double tail = (1 - level) / 2;
  return {quantile_of_sorted(draws, tail), quantile_of_sorted(draws, 1 - tail), level};
}

}  // namespace

double binomial_half_cdf(std::size_t n, std::size_t k) {
  if (k >= n) return 1;
  // Sum of C(n, i) / 2^n in log space: exact enough for n up to millions.
  double log_half_n = static_cast<double>(n) * std::log(0.5);
  double lgamma_n1 = std::lgamma(static_cast<double>(n) + 1);
  double sum = 0;
  for (std::size_t i = 0; i <= k; ++i) {
    double log_term = lgamma_n1 - std::lgamma(static_cast<double>(i) + 1) -
                      std::lgamma(static_cast<double>(n - i) + 1) + log_half_n;
    sum += std::exp(log_term);
  }
  return std::min(sum, 1.0);
}

Interval median_ci(std::span<const double> values, double level) {
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  std::size_t n = sorted.size();
  double tail = (1 - level) / 2;
  // l = the largest rank (1-based) with P(B <= l - 1) <= tail; the binomial mass is
  // accumulated term by term (log C(n, i) grows by log((n - i + 1) / i)).
  double log_term = static_cast<double>(n) * std::log(0.5);  // log P(B = 0)
  double cumulative = std::exp(log_term);                     // P(B <= 0)
  std::size_t l = 0;
  double tail_mass = 0;
  for (std::size_t rank = 1; rank <= (n + 1) / 2 && cumulative <= tail; ++rank) {
    l = rank;
    tail_mass = cumulative;  // P(B <= rank - 1)
    log_term += std::log(static_cast<double>(n - rank + 1) / static_cast<double>(rank));
    cumulative += std::exp(log_term);
  }
  if (l == 0) {
    // Too few values for the level asked: the widest interval, with what it covers.
    return {sorted.front(), sorted.back(), 1 - 2 * std::exp(static_cast<double>(n) * std::log(0.5))};
  }
  return {sorted[l - 1], sorted[n - l], 1 - 2 * tail_mass};
}

std::optional<RatioEstimate> ratio_of_medians(std::span<const double> numerator,
                                              std::span<const double> denominator, double level,
                                              int resamples, std::uint64_t seed) {
  if (numerator.empty() || denominator.empty() || resamples < 1) return std::nullopt;
  double reference = median(denominator);
  if (!(reference > 0)) return std::nullopt;
  RatioEstimate out;
  out.ratio = median(numerator) / reference;
  Resampler resampler(seed);
  std::vector<double> draws;
  draws.reserve(static_cast<std::size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    double top = resampler.median_of_resample(numerator);
    double bottom = resampler.median_of_resample(denominator);
    if (bottom > 0) draws.push_back(top / bottom);
  }
  if (draws.empty()) return std::nullopt;
  out.ci = percentile_interval(draws, level);
  return out;
}

std::optional<RatioChange> ratio_change(std::span<const double> base_x, std::span<const double> base_ref,
                                        std::span<const double> new_x, std::span<const double> new_ref,
                                        double level, int resamples, std::uint64_t seed) {
  if (base_x.empty() || base_ref.empty() || new_x.empty() || new_ref.empty() || resamples < 1)
    return std::nullopt;
  auto change_of = [](double bx, double br, double nx, double nr) -> std::optional<double> {
    if (!(bx > 0) || !(br > 0) || !(nr > 0)) return std::nullopt;
    return (nx / nr) / (bx / br);
  };
  auto point = change_of(median(base_x), median(base_ref), median(new_x), median(new_ref));
  if (!point) return std::nullopt;
  RatioChange out;
  out.change = *point;
  Resampler resampler(seed);
  std::vector<double> draws;
  draws.reserve(static_cast<std::size_t>(resamples));
  std::size_t at_or_below = 0, at_or_above = 0;
  for (int i = 0; i < resamples; ++i) {
    double bx = resampler.median_of_resample(base_x);
    double br = resampler.median_of_resample(base_ref);
    double nx = resampler.median_of_resample(new_x);
    double nr = resampler.median_of_resample(new_ref);
    auto c = change_of(bx, br, nx, nr);
    if (!c) continue;
    draws.push_back(*c);
    if (*c <= 1) ++at_or_below;
    if (*c >= 1) ++at_or_above;
  }
  if (draws.empty()) return std::nullopt;
  // (k + 1) / (R + 1) rather than k / R: a finite resample never proves p = 0.
  double share = static_cast<double>(std::min(at_or_below, at_or_above) + 1) / static_cast<double>(draws.size() + 1);
  out.p_value = std::min(1.0, 2 * share);
  out.ci = percentile_interval(draws, level);
  return out;
}

std::optional<RatioEstimate> geometric_mean_ratio(std::span<const SamplePair> pairs, double level, int resamples,
                                                  std::uint64_t seed) {
  std::vector<SamplePair> usable;
  for (const SamplePair& pair : pairs)
    if (!pair.numerator.empty() && !pair.denominator.empty() && median(pair.numerator) > 0 &&
        median(pair.denominator) > 0)
      usable.push_back(pair);
  if (usable.empty() || resamples < 1) return std::nullopt;
  double log_sum = 0;
  for (const SamplePair& pair : usable) log_sum += std::log(median(pair.numerator) / median(pair.denominator));
  RatioEstimate out;
  out.ratio = std::exp(log_sum / static_cast<double>(usable.size()));
  Resampler resampler(seed);
  std::vector<double> draws;
  draws.reserve(static_cast<std::size_t>(resamples));
  for (int i = 0; i < resamples; ++i) {
    double sum = 0;
    bool ok = true;
    for (const SamplePair& pair : usable) {
      double top = resampler.median_of_resample(pair.numerator);
      double bottom = resampler.median_of_resample(pair.denominator);
      if (!(top > 0) || !(bottom > 0)) {
        ok = false;
        break;
      }
      sum += std::log(top / bottom);
    }
    if (ok) draws.push_back(std::exp(sum / static_cast<double>(usable.size())));
  }
  if (draws.empty()) return std::nullopt;
  out.ci = percentile_interval(draws, level);
  return out;
}

std::optional<DifferenceEstimate> difference_of_medians(std::span<const double> a, std::span<const double> b,
                                                        double level, int resamples, std::uint64_t seed) {
  if (a.empty() || b.empty() || resamples < 1) return std::nullopt;
  DifferenceEstimate out;
  out.difference = median(a) - median(b);
  Resampler resampler(seed);
  std::vector<double> draws;
  draws.reserve(static_cast<std::size_t>(resamples));
  for (int i = 0; i < resamples; ++i) draws.push_back(resampler.median_of_resample(a) - resampler.median_of_resample(b));
  out.ci = percentile_interval(draws, level);
  return out;
}

std::optional<long> repetitions_to_decide(double point, double low, double high, double threshold,
                                          std::size_t repetitions, bool log_scale) {
  if (repetitions == 0 || !std::isfinite(point) || !std::isfinite(low) || !std::isfinite(high)) return std::nullopt;
  if (log_scale) {
    if (!(point > 0) || !(low > 0) || !(high > 0) || !(threshold > 0)) return std::nullopt;
    point = std::log(point), low = std::log(low), high = std::log(high), threshold = std::log(threshold);
  }
  double distance = std::abs(point - threshold);
  double half_width = (high - low) / 2;
  if (!(distance > 0) || !(half_width > 0)) return std::nullopt;
  double needed = std::ceil(static_cast<double>(repetitions) * (half_width / distance) * (half_width / distance));
  if (!std::isfinite(needed) || needed > 1e9) return std::nullopt;
  return std::max<long>(static_cast<long>(needed), static_cast<long>(repetitions) + 1);
}

}  // namespace isobench::stats
