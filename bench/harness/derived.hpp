// Figures derived after a run from its own rows, so that they compare numbers measured
// in the same run on the same host (these machines are noisy; ratios travel, absolute
// times do not).
#pragma once

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"

namespace isobench {

// Adds to each `median` aggregate row of `document`, from the samples of `model` (the
// same rows, read once):
//   ratio_to_bare:  its median real time over SUITE/bare/WORKLOAD[/ARG]'s
//   ratio_to_floor: for startup/bare/noop, over startup/bare/noop/floor's
//   ratio_to_bare_<counter>: for the workloads' own figures (ns_per_op, bytes_per_s,
//                   ops_per_s), its median counter over the bare row's (so above 1 is
//                   slower for ns_per_op, faster for the rates)
//   ratio_to_qemu, ratio_to_qemu_ready_s: startup/vm/noop over startup/qemu/noop
//   ratio_to_runtime, engine_over_runtime_s: a container engine's startup row (one whose
//                   rows name the OCI runtime under it, attribute `runtime`) over that
//                   runtime's own row for the same workload, and the difference in
//                   seconds: where Docker's time goes besides the runc it drives
// Medians are taken over the iteration rows that did not fail.
void add_derived_ratios(nlohmann::json& document, const results::ResultsFile& model);
// The same, reading the model from `document` first (tests, older callers).
void add_derived_ratios(nlohmann::json& document);

}  // namespace isobench
