// A test for two builds measured in interleaved blocks (`bench ab`): block b holds the
// repetitions BASE and NEW ran back to back (ABBA order), so the host's drift between
// blocks falls on both sides and only comparisons inside a block are made.
//
// The statistic is the sum over blocks of the Mann-Whitney U counted inside each block
// (the stratified rank-sum test; van Elteren's with equal weights): ranks, not values,
// because repetition times here are bimodal and heavy-tailed (a container start is 2 ms
// or 11 ms), and only within a block, so a slow minute cannot pass for a change. Under
// "no change" the blocks' U are independent and each has Mann-Whitney's null
// distribution, so the exact null of the sum is their convolution.
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

// Two-sided p-value of the stratified rank-sum test. `statistic` is the sum of the blocks'
// U of `base` (pairs in a block with base > next, ties counting one half). Exact when no
// block has ties and each side of a block has at most 50 values; otherwise the normal
// approximation with tie and continuity corrections. Blocks with an empty side carry no
// information and are left out; p = 1 when none is left.
//
// The test assumes that inside a block the repetitions of both sides are exchangeable.
// On a host whose load changes within a second (another build starting), one side's run
// of a block can meet a different load than the other's, and a block of 50 + 50 then
// "detects" the load. When the blocks' effects disagree more than chance allows (Cochran's
// Q test of homogeneity at 5%), the statistic's variance is scaled by Q / (K - 1)
// (multiplicative heterogeneity) and the p-value is the normal one: `overdispersion` says
// by how much.
TestResult blocked_rank_sum(std::span<const Block> blocks);

// The smallest two-sided p-value the test can give for these block sizes (every block
// completely separated in the same direction): 2 / prod C(m_b + n_b, m_b). It depends on
// the sizes only, so a benchmark whose smallest p is at or above alpha can be set aside
// before testing without spending any of the family's error rate (Tarone 1990).
double blocked_rank_sum_smallest_p(std::span<const Block> blocks);

// The shift NEW / BASE that goes with the test: exp of the median of the log ratios
// next_j / base_i over all pairs inside the same block (a stratified Hodges-Lehmann
// estimate). nullopt when a value is not positive or no block has both sides.
std::optional<double> blocked_ratio_estimate(std::span<const Block> blocks);

}  // namespace isobench::stats
