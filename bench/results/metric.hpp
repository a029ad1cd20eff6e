// What a metric's name says about it: whether lower or higher is better, and how to
// print a value. Units live in names (SPEC.md): `_s`, `_bytes` lower is better;
// `_per_s` higher is better; a cost per operation (`ns_per_op`) lower is better. A name
// that says neither is never judged.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace isobench::results {

// Google Benchmark's own columns, converted to seconds when read.
inline constexpr std::string_view kRealTime = "real_time";
inline constexpr std::string_view kCpuTime = "cpu_time";

enum class Direction { kLowerIsBetter, kHigherIsBetter };

// nullopt when the name carries no unit that says which way is better.
std::optional<Direction> direction_of(std::string_view metric);

std::string_view to_string(Direction direction);

// "10.74 ms", "12.3 MiB", "1.20 G/s", or the number as is for other units.
std::string format_value(std::string_view metric, double value);

// The value of a Google Benchmark time in `unit` (ns, us, ms, s) in seconds; nullopt
// for an unknown unit.
std::optional<double> seconds_from(double value, std::string_view unit);

}  // namespace isobench::results

namespace isobench::compare {
using results::Direction;
using results::direction_of;
using results::format_value;
using results::kCpuTime;
using results::kRealTime;
using results::seconds_from;
using results::to_string;
}  // namespace isobench::compare
