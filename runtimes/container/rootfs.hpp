// The container's view of the filesystem: private propagation, the image bind-mounted
// read-only as the root (pivot_root, or chroot as the seed names it), /proc, a minimal
// /dev and a /tmp tmpfs. The plan is built by the runtime before the clone; the child
// carries it out with system calls only (no allocation between clone and exec).
#pragma once

#include <array>
#include <filesystem>
#include <string>

namespace isobench {

enum class RootfsMode {
  kHost,       // the host's root, unchanged
  kChroot,     // chroot(2) into the image
  kPivotRoot,  // pivot_root(2) into the image, the old root detached
};
std::string to_string(RootfsMode mode);  // "host", "chroot", "pivot_root"

struct DeviceNode {
  const char* name;
  unsigned major, minor;
};
// What a minimal /dev holds (the OCI runtime spec's default devices).
inline constexpr std::array<DeviceNode, 6> kDeviceNodes = {{
    {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}}};
inline constexpr std::array<std::array<const char*, 2>, 4> kDeviceLinks = {{
    {"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"}}};

struct RootfsPlan {
  RootfsMode mode = RootfsMode::kHost;
  bool private_propagation = false;  // the child has its own mount namespace
  bool mount_proc = false;           // only with a PID namespace: /proc shows the container's
  bool mount_dev_and_tmp = false;
  bool bind_devices = false;         // in a user namespace mknod(2) is refused: bind the host's
  bool read_only = true;
  std::string rootfs, proc, dev, tmp;
  std::array<std::string, kDeviceNodes.size()> device_paths;
  std::array<std::string, kDeviceNodes.size()> host_device_paths;
  std::array<std::string, kDeviceLinks.size()> link_paths;
};

// REQUIRES: a mount namespace for kPivotRoot and for the mounts.
RootfsPlan make_rootfs_plan(const std::filesystem::path& rootfs, RootfsMode mode, bool mount_namespace,
                            bool pid_namespace, bool user_namespace);

// In the child: performs the plan; on a failure reports it on `failure_fd` and exits.
void enter_rootfs(const RootfsPlan& plan, int failure_fd);

}  // namespace isobench
