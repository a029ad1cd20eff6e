// How figures read in the claims table, on the terminal and in the report (which takes
// these strings from results.json rather than formatting its own).
#pragma once

#include <string>

namespace isobench::results {

// snprintf of one double into a string (formats that print one number).
std::string format_double(const char* format, double value);

std::string format_ratio(double ratio);                 // "×1.07", "×1,780", "×0.986"
std::string format_seconds(double seconds);             // "2.15 ms", "403.7 µs", "2.54 s"
std::string format_bytes(double bytes);                 // "216.7 MiB" (2^20 bytes)
std::string format_count(long count);                   // "1,200"

// "×1.07 [1, 1.61]" and "2.15 ms [1.9 ms, 2.4 ms]".
std::string format_ratio_interval(double point, double low, double high);
std::string format_seconds_interval(double point, double low, double high);

}  // namespace isobench::results
