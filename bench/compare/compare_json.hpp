// `bench compare --json FILE`: the comparison as data for CI tools and the report.
#pragma once

#include <nlohmann/json.hpp>

#include "comparison.hpp"

namespace isobench::compare {

struct CompareInputs {
  std::string base_file, new_file;
  std::string base_testbed, new_testbed;  // fingerprints; empty when a manifest lacks them
};

// {"isobench_compare": 1, "base": {...}, "new": {...}, "settings": {...},
//  "family": {"correction": "holm-bonferroni", "tests": N, "below_holm_reach": K,
//             "false_alarm_rate_at_most": alpha},
//  "findings": [...], "summary": {"regression": N, ...}, "exit_code": 0 | 1}
// Changes and intervals are fractions (0.05 is +5%); absent values are null.
nlohmann::json to_json(const Comparison& comparison, const CompareInputs& inputs);

}  // namespace isobench::compare
