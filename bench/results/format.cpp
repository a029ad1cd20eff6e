#include "bench/results/format.hpp"

#include <cmath>
#include <cstdio>

namespace isobench::results {
namespace {

// Three significant digits, thousands separated: 0.986, 1.07, 312, 1,780.
std::string three_digits(double x) {
  if (!std::isfinite(x)) return "n/a";
  if (std::abs(x) >= 1000) return format_count(std::lround(x));
  return format_double("%.3g", x);
}

}  // namespace

std::string format_double(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

std::string format_count(long count) {
  std::string digits = std::to_string(std::labs(count));
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (count < 0 ? "-" : "") + out;
}

std::string format_ratio(double ratio) { return "×" + three_digits(ratio); }

std::string format_seconds(double s) {
  if (!std::isfinite(s)) return "n/a";
  double a = std::abs(s);
  if (a >= 1) return format_double("%.2f s", s);
  if (a >= 1e-3) return format_double("%.2f ms", s * 1e3);
  if (a >= 1e-6) return format_double("%.1f µs", s * 1e6);
  return format_double("%.0f ns", s * 1e9);
}

std::string format_bytes(double b) {
  if (!std::isfinite(b)) return "n/a";
  const std::pair<const char*, double> kUnits[] = {{"GiB", 1073741824.0}, {"MiB", 1048576.0}, {"KiB", 1024.0}};
  for (const auto& [unit, size] : kUnits)
    if (std::abs(b) >= size) return format_double("%.1f ", b / size) + unit;
  return format_double("%.0f B", b);
}

std::string format_ratio_interval(double point, double low, double high) {
  return format_ratio(point) + " [" + three_digits(low) + ", " + three_digits(high) + "]";
}

std::string format_seconds_interval(double point, double low, double high) {
  return format_seconds(point) + " [" + format_seconds(low) + ", " + format_seconds(high) + "]";
}

}  // namespace isobench::results
