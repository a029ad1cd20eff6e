// Which cgroup hierarchy a host mounts, detected as systemd and crun do: by the
// filesystem type of /sys/fs/cgroup (and of /sys/fs/cgroup/unified).
#pragma once

#include <filesystem>
#include <string>

namespace isobench {

enum class CgroupMode {
  kUnified,  // cgroup v2 only: /sys/fs/cgroup is cgroup2
  kHybrid,   // v1 controllers, plus cgroup2 at /sys/fs/cgroup/unified
  kLegacy,   // v1 only
  kNone,     // nothing recognisable mounted
};

CgroupMode detect_cgroup_mode(const std::filesystem::path& root = "/sys/fs/cgroup");
std::string to_string(CgroupMode mode);  // "v2", "hybrid", "v1", "none"

}  // namespace isobench
