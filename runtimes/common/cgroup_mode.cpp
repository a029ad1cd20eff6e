#include "cgroup_mode.hpp"

#include <linux/magic.h>
#include <sys/vfs.h>

namespace isobench {
namespace {
long filesystem_type(const std::filesystem::path& path) {
  struct statfs fs{};
  if (::statfs(path.c_str(), &fs) != 0) return 0;
  return static_cast<long>(fs.f_type);
}
}  // namespace

CgroupMode detect_cgroup_mode(const std::filesystem::path& root) {
  long type = filesystem_type(root);
  if (type == CGROUP2_SUPER_MAGIC) return CgroupMode::kUnified;
  if (type != TMPFS_MAGIC) return CgroupMode::kNone;
  if (filesystem_type(root / "unified") == CGROUP2_SUPER_MAGIC) return CgroupMode::kHybrid;
  return CgroupMode::kLegacy;
}

std::string to_string(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::kUnified: return "v2";
    case CgroupMode::kHybrid: return "hybrid";
    case CgroupMode::kLegacy: return "v1";
    case CgroupMode::kNone: return "none";
  }
  return "none";
}

}  // namespace isobench
