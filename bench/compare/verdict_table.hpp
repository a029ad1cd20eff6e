// The terminal view of a comparison: one line per finding, then a summary line.
#pragma once

#include <string>

#include "comparison.hpp"

namespace isobench::compare {

std::string verdict_table(const Comparison& comparison);

// "1 regression, 2 improvements, 40 no change (alpha 0.01, threshold 5%)"
std::string summary_line(const Comparison& comparison);

// "error control: Holm-Bonferroni over 42 test(s) (...): the chance that a run of
// unchanged code flags anything is at most 1%", plus what too few repetitions hide.
std::string family_line(const Comparison& comparison);

}  // namespace isobench::compare
