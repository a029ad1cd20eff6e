// The order `bench ab` runs its blocks in: A B B A A B B A ... Block b pairs BASE's and
// NEW's slice b, run back to back; BASE goes first in even blocks and second in odd
// ones, so a host that drifts one way during the run favours each side equally often
// and the drift cancels in the blocked test (stats/blocked_test.hpp).
#pragma once

#include <vector>

namespace isobench::compare {

enum class AbSide { kBase, kNew };

struct AbStep {
  AbSide side;
  int block;  // the repetition slice this step runs (--repetition-slice block/blocks)
};

std::vector<AbStep> abba_schedule(int blocks);

}  // namespace isobench::compare
