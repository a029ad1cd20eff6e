// The claims (SPEC.md "Claims"), computed once by bench on the results model and written
// into results.json as its `claims` section; the terminal table and the report only
// format what is there.
//
// results.json `claims`:
//   version        1
//   level          0.95
//   methods        {name: how it is computed} for every statistic below
//   rows[]         one per claim (C7: one per container backend; C2: one per
//                  hypervisor backend with figures that are not emulated):
//                    id, claim (the seed's words), metric, backend (or null),
//                    effect {text, point, low, high, unit: ratio|s|bytes|digests},
//                    threshold (or null), verdict (confirmed | contradicted |
//                    inconclusive | not measurable here), verdict_text (the verdict
//                    as the table prints it: "inconclusive: ~N repetitions would
//                    decide", "not measurable here: <why>"), repetitions (the fewest
//                    behind the effect), repetitions_to_decide (or null), note,
//                    figures[] (the benchmark names the effect is computed from)
//   ladder[]       every ladder step (ladder.hpp): backend, family, step, name,
//                  baseline, method, cost_s and total_s {point, low, high, level},
//                  share, repetitions, verdict, top, on_top_chain
//   overhead[]     per backend and suite: the geometric mean of backend/bare per
//                  operation (slowdown above 1): backend, family, suite, point, low,
//                  high, benchmarks[], emulated, emulated_why
//   emulation{}    per VM-family backend: emulated, why
//
// Thresholds: a slowdown counts when its whole interval lies above ×1.05 (C2) and "almost
// no loss" (C7) holds when it lies below ×1.05; "huge" and "heavy" (C3, C4) need the whole
// interval above ×2; "faster" (C6) below ×0.95 or above ×1.05; a container is a host
// process (C5) while its startup stays within ×10 of a bare process's.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"
#include "bench/results/traits.hpp"

namespace isobench::results {

inline constexpr int kClaimsVersion = 1;

nlohmann::json compute_claims(const ResultsFile& file, const TraitsLookup& fallback);

// The claims table for a terminal, from a `claims` section (one row per claim: id and
// verdict, then the claim, metric, effect and note indented), then the ladder.
std::string claims_table(const nlohmann::json& claims);

}  // namespace isobench::results
