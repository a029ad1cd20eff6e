#include "ab_schedule.hpp"

namespace isobench::compare {

std::vector<AbStep> abba_schedule(int blocks) {
  std::vector<AbStep> out;
  for (int block = 0; block < blocks; ++block) {
    bool base_first = block % 2 == 0;
    out.push_back({base_first ? AbSide::kBase : AbSide::kNew, block});
    out.push_back({base_first ? AbSide::kNew : AbSide::kBase, block});
  }
  return out;
}

}  // namespace isobench::compare
