// `bench ab`'s judgement: BASE and NEW ran in K blocks, block b of each side back to back
// (ABBA order, bench/compare/ab_schedule.hpp); each benchmark is judged by its blocks'
// effects (stats/blocked_test.hpp: each block's log-ratio, then the signed-rank test across
// blocks), so drift between blocks cancels and a load that differed within a block is
// a random effect, not a change. The verdict rules
// are `bench compare`'s: Holm over the family, and the minimum effect.
#pragma once

#include <vector>

#include "comparison.hpp"

namespace isobench::compare {

// `base_blocks[b]` and `new_blocks[b]` are the results of block b (an empty file for a
// block that held no repetition); `base` and `next` are each side's blocks merged
// (bench/compare/ab_merge.hpp), for the medians, failures and availability.
// REQUIRES: base_blocks.size() == new_blocks.size(). Judges real_time only.
Result<Comparison> compare_blocked(const std::vector<ResultsFile>& base_blocks, const std::vector<ResultsFile>& new_blocks,
                                   const ResultsFile& base, const ResultsFile& next, const CompareSettings& settings);

// The rows NEW ran without BASE by design (`bench ab`'s parts that only NEW runs): one
// finding each with NEW's median and repetitions, `failed` when repetitions failed
// (the gate fails on it as on any row), `skipped` when the backend was unavailable, and
// otherwise inconclusive with `why`. Outside the family: nothing is tested.
void add_new_only(Comparison& comparison, const ResultsFile& next, const std::string& why);

}  // namespace isobench::compare
