#include "descriptive.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace isobench::stats {

double median_of_sorted(std::span<const double> sorted) {
  std::size_t n = sorted.size();
  return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double median(std::span<const double> values) {
  std::vector<double> copy(values.begin(), values.end());
  std::size_t n = copy.size();
  auto middle = copy.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(copy.begin(), middle, copy.end());
  double upper = *middle;
  if (n % 2 == 1) return upper;
  double lower = *std::max_element(copy.begin(), middle);
  return (lower + upper) / 2;
}

double quantile_of_sorted(std::span<const double> sorted, double q) {
  q = std::clamp(q, 0.0, 1.0);
  double position = q * static_cast<double>(sorted.size() - 1);
  auto below = static_cast<std::size_t>(std::floor(position));
  std::size_t above = std::min(below + 1, sorted.size() - 1);
  double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

double mean(std::span<const double> values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double standard_deviation(std::span<const double> values) {
  if (values.size() < 2) return 0;
  double m = mean(values);
  double squares = 0;
  for (double v : values) squares += (v - m) * (v - m);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

double coefficient_of_variation(std::span<const double> values) {
  double m = mean(values);
  if (values.size() < 2 || m == 0) return 0;
  return standard_deviation(values) / std::abs(m);
}

double median_absolute_deviation(std::span<const double> values) {
  double centre = median(values);
  std::vector<double> deviations;
  deviations.reserve(values.size());
  for (double v : values) deviations.push_back(std::abs(v - centre));
  return median(deviations);
}

Outliers mad_outliers(std::span<const double> values, double threshold) {
  Outliers out;
  if (values.empty()) return out;
  double centre = median(values);
  // z = 0.6745 (x - median) / MAD, so |z| > t means |x - median| > t * MAD / 0.6745.
  double spread = median_absolute_deviation(values) / 0.6745;
  if (spread == 0) {
    double mean_deviation = 0;
    for (double v : values) mean_deviation += std::abs(v - centre);
    mean_deviation /= static_cast<double>(values.size());
    spread = 1.253314 * mean_deviation;
  }
  if (spread == 0) {
    out.low_fence = out.high_fence = centre;
    return out;
  }
  out.low_fence = centre - threshold * spread;
  out.high_fence = centre + threshold * spread;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] < out.low_fence || values[i] > out.high_fence) out.indices.push_back(i);
  return out;
}

}  // namespace isobench::stats
