// The minimal container image: a rootfs holding only the static workload binary and the
// empty mount points a container needs. Built once from the workload binary, cached
// under BackendConfig::state_dir, and shared by every container backend (container,
// crun, runc) so they all run the same bytes.
//
// Layout: STATE_DIR/images/minimal/rootfs/{isobench-workload, proc/, dev/, tmp/, sys/,
// etc/hostname, etc/passwd, etc/group} and STATE_DIR/images/minimal/source, which
// records the workload binary it was built from (path, size, mtime) so a changed binary
// triggers a rebuild.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "runtimes/backend.hpp"

namespace isobench {

struct MinimalImage {
  std::filesystem::path rootfs;           // absolute path of the image's root directory
  std::string workload_path = "/isobench-workload";  // the workload, as seen inside the rootfs
  double build_s = 0;                     // time this call spent building it; 0 when cached
  bool built_now = false;                 // false: the cached image was reused
};

// The image for `config.workload_binary`, built into `config.state_dir` when missing or
// stale. Safe against a concurrent builder: the rootfs is assembled in a temporary
// directory and renamed into place.
Result<MinimalImage> ensure_minimal_image(const BackendConfig& config);

// Where the image for a state dir lives (its parent holds the `source` stamp).
std::filesystem::path minimal_image_dir(const std::filesystem::path& state_dir);

// Bytes of regular files under `root` (the image's size on disk, before compression).
Result<std::uint64_t> tree_bytes(const std::filesystem::path& root);

}  // namespace isobench
