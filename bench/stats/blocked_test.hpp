// A test for two builds measured in many short interleaved blocks (`bench ab`): block b
// holds the repetitions BASE and NEW ran back to back (ABBA order), and the block, not the
// repetition, is the unit of replication.
//
// Each block gives one effect: the Hodges-Lehmann log-ratio of NEW against BASE inside it
// (the median of log(next_j / base_i) over the block's pairs). The benchmark is judged by
// the Wilcoxon signed-rank test of those effects against 0, exact. Why this and not a test
// on the repetitions: on a shared host the load a block's two runs meet can differ by far
// more than the change sought, so the repetitions inside a block are not exchangeable and
// any test that counts them as independent reads the load as a change. Across blocks the
// effect of a moving load is a random effect: with the side that runs first alternating,
// an unchanged build's block effects are symmetric about 0 whatever happened inside each
// block, which is all the signed-rank test assumes. Ranks, not a t on the effects,
// because one block that met a burst (measured: x1.53 for a planted x1.10) must not
// carry the verdict either way.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "hypothesis.hpp"

namespace isobench::stats {

struct Block {
  std::span<const double> base, next;  // one block's repetitions of each side
};

// log(NEW / BASE) of one block: the median of log(next_j) - log(base_i) over all its
// pairs. nullopt when a side is empty or holds a value that is not positive.
std::optional<double> block_log_effect(const Block& block);

// Every block's effect, in block order; blocks without both sides left out. nullopt when a
// value is not positive.
std::optional<std::vector<double>> block_log_effects(std::span<const Block> blocks);

// Two-sided Wilcoxon signed-rank test of "the effects are symmetric about 0". Effects of
// exactly 0 are left out (Wilcoxon's convention); tied magnitudes get their mean rank.
// Exact null (every one of the 2^K sign assignments, counted by dynamic programming over
// twice the ranks, so ties are exact too) up to 400 effects; the normal approximation
// with the tie correction beyond. `statistic` is W+, the sum of the positive effects'
// ranks. p = 1 with no nonzero effect.
TestResult signed_rank(std::span<const double> effects);

// The smallest two-sided p-value the test can give with `effects` nonzero effects (all of
// one sign): 2 / 2^K, capped at 1. It depends on the number of blocks only, so a benchmark
// whose smallest p is at or above alpha can be set aside before testing without spending
// any of the family's error rate (Tarone 1990).
double signed_rank_smallest_p(std::size_t effects);

// The Hodges-Lehmann estimate that goes with the signed-rank test: the median of the
// Walsh averages (e_i + e_j) / 2, i <= j. nullopt for no effects.
std::optional<double> walsh_median(std::span<const double> effects);

}  // namespace isobench::stats
