// The cgroup dispatcher: picks the implementation for the placement.
#include "cgroup.hpp"

#include <unistd.h>

#include <atomic>

#include "runtimes/common/cgroup_mode.hpp"

namespace isobench {

std::string to_string(CgroupVersion version) {
  switch (version) {
    case CgroupVersion::kNone: return "none";
    case CgroupVersion::kV1: return "v1";
    case CgroupVersion::kV2: return "v2";
  }
  return "none";
}

CgroupPlacement host_cgroup_placement(const std::filesystem::path& root) {
  switch (detect_cgroup_mode(root)) {
    case CgroupMode::kUnified: return {CgroupVersion::kV2, root, true};
    case CgroupMode::kHybrid:
    case CgroupMode::kLegacy: return {CgroupVersion::kV1, root, false};
    case CgroupMode::kNone: break;
  }
  return {CgroupVersion::kNone, root, false};
}

Result<std::unique_ptr<Cgroup>> create_cgroup(const CgroupPlacement& placement, const std::string& name,
                                              const Limits& limits) {
  switch (placement.version) {
    case CgroupVersion::kV1: return create_cgroup_v1(placement.root, name, limits);
    case CgroupVersion::kV2: return create_cgroup_v2(placement.root, name, limits, placement.clone_into);
    case CgroupVersion::kNone: break;
  }
  if (!limits.empty()) return fail("cgroup: no cgroup hierarchy found under " + in_quotes(placement.root) +
                                   " to apply limits (" + limits.describe() + ")");
  return std::unique_ptr<Cgroup>();
}

std::string unique_cgroup_name(const std::string& what) {
  static std::atomic<unsigned> sequence{0};
  return "isobench-" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
}

}  // namespace isobench
