// What a CI job consumes from `bench ab` (and `bench compare`): a Markdown summary for a
// pull request comment, and the rows in github-action-benchmark's "custom" JSON so that
// its history pages can chart them.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "comparison.hpp"

namespace isobench::compare {

struct SummaryInputs {
  std::string base_label, new_label;  // what BASE and NEW were (binary path, revision)
  std::vector<std::string> notes;     // said under the headline (a side without server mode)
};

// A headline with the verdict counts, the error-control statement, what could not be
// decided and why, a table of the regressions and improvements, and every finding in a
// collapsed <details> block.
std::string markdown_summary(const Comparison& comparison, const SummaryInputs& inputs);

// github-action-benchmark's input for the `customSmallerIsBetter` tool (or, with
// `bigger_is_better`, `customBiggerIsBetter`): [{"name", "unit", "value",
// "extra"}], one entry per finding of that direction with a NEW median. Times are in
// microseconds for every benchmark, so a benchmark's history never changes unit.
nlohmann::json action_benchmark_json(const Comparison& comparison, bool bigger_is_better);

}  // namespace isobench::compare
