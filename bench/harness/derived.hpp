// Figures derived after a run from its own rows, so that they compare numbers measured
// in the same run on the same host (these machines are noisy; ratios travel, absolute
// times do not).
#pragma once

#include <nlohmann/json.hpp>

namespace isobench {

// Adds to each `median` aggregate row:
//   ratio_to_bare:  its median real time over SUITE/bare/WORKLOAD[/ARG]'s
//   ratio_to_floor: for startup/bare/noop, over startup/bare/noop/floor's
//   ratio_to_bare_<counter>: for the workloads' own figures (ns_per_op, bytes_per_s,
//                   ops_per_s), its median counter over the bare row's (so above 1 is
//                   slower for ns_per_op, faster for the rates)
// Medians are taken over the iteration rows that did not fail.
void add_derived_ratios(nlohmann::json& results);

// The median real_time (in the row's time_unit) of a benchmark's successful iterations.
std::optional<double> median_real_time(const nlohmann::json& results, const std::string& name);

}  // namespace isobench
