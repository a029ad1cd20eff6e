// Descriptive statistics over repetitions: robust centre (median), spread (coefficient
// of variation, median absolute deviation) and outliers by modified z-score.
// Inputs are plain samples; none of these functions keeps state.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace isobench::stats {

// REQUIRES: !values.empty(). The average of the two middle values for an even count.
double median(std::span<const double> values);
// REQUIRES: `sorted` is sorted ascending and not empty.
double median_of_sorted(std::span<const double> sorted);

// Hyndman and Fan's type 7 (R's default, numpy's linear): q in [0, 1].
// REQUIRES: `sorted` is sorted ascending and not empty.
double quantile_of_sorted(std::span<const double> sorted, double q);

double mean(std::span<const double> values);  // 0 for no values
// Sample standard deviation (n - 1); 0 for fewer than two values.
double standard_deviation(std::span<const double> values);
// stddev / mean as a fraction (0.05 is 5%); 0 for fewer than two values or a zero mean.
double coefficient_of_variation(std::span<const double> values);

// The median of |x - median|, unscaled. REQUIRES: !values.empty().
double median_absolute_deviation(std::span<const double> values);

// Iglewicz and Hoaglin's modified z-score: 0.6745 (x - median) / MAD; a value is an
// outlier when |z| > threshold (3.5 is their recommendation). When more than half the
// values are equal (MAD 0), the mean absolute deviation scaled by 1.2533 stands in, as
// in IBM's SPSS; when every value is equal there are no outliers.
struct Outliers {
  std::vector<std::size_t> indices;  // into the input, ascending
  double low_fence = 0;              // values below are outliers
  double high_fence = 0;             // values above are outliers
};
inline constexpr double kOutlierZ = 3.5;
Outliers mad_outliers(std::span<const double> values, double threshold = kOutlierZ);

}  // namespace isobench::stats
