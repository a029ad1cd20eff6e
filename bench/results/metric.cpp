#include "metric.hpp"

#include <cmath>
#include <cstdio>

namespace isobench::results {
namespace {

std::string printf_string(const char* format, double value, const char* unit) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value, unit);
  return buffer;
}

// Three significant figures with a prefix that keeps the number between 1 and 1000.
std::string scaled(double value, const char* const* units, double step, int first_exponent, int count) {
  double magnitude = std::abs(value);
  int index = 0;
  double shown = value * std::pow(step, -first_exponent);
  if (magnitude > 0) {
    index = static_cast<int>(std::floor(std::log(magnitude) / std::log(step))) - first_exponent;
    if (index < 0) index = 0;
    if (index > count - 1) index = count - 1;
    shown = value / std::pow(step, index + first_exponent);
  }
  const char* format = std::abs(shown) >= 100 ? "%.0f %s" : std::abs(shown) >= 10 ? "%.1f %s" : "%.2f %s";
  return printf_string(format, shown, units[index]);
}

}  // namespace

std::optional<Direction> direction_of(std::string_view metric) {
  if (metric == kRealTime || metric == kCpuTime) return Direction::kLowerIsBetter;
  // Rates first: bytes_per_s also ends in _s. Google Benchmark's own rate counters
  // are named bytes_per_second and items_per_second.
  if (metric.ends_with("_per_s") || metric.ends_with("_per_second")) return Direction::kHigherIsBetter;
  // A cost per operation (ns_per_op, bytes_per_op): its leading unit decides.
  if (metric.find("_per_") != std::string_view::npos) {
    for (std::string_view prefix : {"s_", "ms_", "us_", "ns_", "bytes_", "cycles_"})
      if (metric.starts_with(prefix)) return Direction::kLowerIsBetter;
    return std::nullopt;
  }
  for (std::string_view suffix : {"_s", "_ms", "_us", "_ns", "_bytes"})
    if (metric.ends_with(suffix)) return Direction::kLowerIsBetter;
  return std::nullopt;
}

std::string_view to_string(Direction direction) {
  return direction == Direction::kLowerIsBetter ? "lower_is_better" : "higher_is_better";
}

std::string format_value(std::string_view metric, double value) {
  if (!std::isfinite(value)) return "n/a";
  if (metric == kRealTime || metric == kCpuTime || (metric.ends_with("_s") && !metric.ends_with("_per_s"))) {
    static const char* const units[] = {"ns", "us", "ms", "s"};
    if (std::abs(value) >= 1) return printf_string(std::abs(value) >= 100 ? "%.0f %s" : "%.2f %s", value, "s");
    return scaled(value, units, 1000, -3, 4);
  }
  if (metric.ends_with("_bytes")) {
    static const char* const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    return scaled(value, units, 1024, 0, 5);
  }
  if (metric.ends_with("_per_s") || metric.ends_with("_per_second")) {
    static const char* const units[] = {"/s", "k/s", "M/s", "G/s", "T/s"};
    return scaled(value, units, 1000, 0, 5);
  }
  return printf_string("%.4g%s", value, "");
}

std::optional<double> seconds_from(double value, std::string_view unit) {
  if (unit == "ns") return value * 1e-9;
  if (unit == "us") return value * 1e-6;
  if (unit == "ms") return value * 1e-3;
  if (unit == "s") return value;
  return std::nullopt;
}

}  // namespace isobench::results
