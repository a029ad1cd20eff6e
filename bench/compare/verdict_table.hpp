// The terminal view of a comparison: one line per finding, then a summary line.
#pragma once

#include <string>

#include "comparison.hpp"

namespace isobench::compare {

std::string verdict_table(const Comparison& comparison);

// "1 regression, 2 improvements, 40 no change (alpha 0.01, threshold 5%)"
std::string summary_line(const Comparison& comparison);

}  // namespace isobench::compare
