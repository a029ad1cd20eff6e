#include "rootfs.hpp"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>

#include "child_failure.hpp"

namespace isobench {
namespace {

void check(int rc, int failure_fd, const char* step, const std::string& path) {
  if (rc != 0) report_child_failure(failure_fd, step, path.c_str(), errno);
}

void populate_dev(const RootfsPlan& plan, int failure_fd) {
  for (std::size_t i = 0; i < kDeviceNodes.size(); ++i) {
    const DeviceNode& node = kDeviceNodes[i];
    const std::string& path = plan.device_paths[i];
    if (plan.bind_devices) {
      int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
      check(fd < 0 ? -1 : 0, failure_fd, "create device mount point", path);
      ::close(fd);
      check(::mount(plan.host_device_paths[i].c_str(), path.c_str(), nullptr, MS_BIND, nullptr), failure_fd,
            "bind device", path);
    } else {
      check(::mknod(path.c_str(), S_IFCHR | 0666, makedev(node.major, node.minor)), failure_fd, "mknod", path);
    }
  }
  for (std::size_t i = 0; i < kDeviceLinks.size(); ++i)
    check(::symlink(kDeviceLinks[i][1], plan.link_paths[i].c_str()), failure_fd, "symlink", plan.link_paths[i]);
}

}  // namespace

std::string to_string(RootfsMode mode) {
  switch (mode) {
    case RootfsMode::kHost: return "host";
    case RootfsMode::kChroot: return "chroot";
    case RootfsMode::kPivotRoot: return "pivot_root";
  }
  return "host";
}

RootfsPlan make_rootfs_plan(const std::filesystem::path& rootfs, RootfsMode mode, bool mount_namespace,
                            bool pid_namespace, bool user_namespace) {
  RootfsPlan plan;
  plan.mode = mode;
  plan.private_propagation = mount_namespace;
  bool in_image = mode != RootfsMode::kHost && mount_namespace;
  plan.mount_proc = in_image && pid_namespace;
  plan.mount_dev_and_tmp = in_image;
  plan.bind_devices = user_namespace;
  plan.read_only = in_image;
  plan.rootfs = rootfs.string();
  plan.proc = (rootfs / "proc").string();
  plan.dev = (rootfs / "dev").string();
  plan.tmp = (rootfs / "tmp").string();
  for (std::size_t i = 0; i < kDeviceNodes.size(); ++i) {
    plan.device_paths[i] = (rootfs / "dev" / kDeviceNodes[i].name).string();
    plan.host_device_paths[i] = std::string("/dev/") + kDeviceNodes[i].name;
  }
  for (std::size_t i = 0; i < kDeviceLinks.size(); ++i) plan.link_paths[i] = (rootfs / "dev" / kDeviceLinks[i][0]).string();
  return plan;
}

void enter_rootfs(const RootfsPlan& plan, int failure_fd) {
  if (plan.private_propagation) {
    // Nothing the container mounts propagates back to the host (systemd makes / shared).
    check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), failure_fd, "make mounts private", "/");
  }
  if (plan.mode == RootfsMode::kHost) return;
  if (plan.private_propagation) {
    // pivot_root needs the new root to be a mount point: bind the image onto itself.
    check(::mount(plan.rootfs.c_str(), plan.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr), failure_fd,
          "bind image", plan.rootfs);
  }
  if (plan.mount_proc)
    check(::mount("proc", plan.proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr), failure_fd,
          "mount proc", plan.proc);
  if (plan.mount_dev_and_tmp) {
    check(::mount("tmpfs", plan.dev.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME, "mode=755,size=64k"),
          failure_fd, "mount tmpfs", plan.dev);
    populate_dev(plan, failure_fd);
    check(::mount("tmpfs", plan.tmp.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m"), failure_fd,
          "mount tmpfs", plan.tmp);
  }
  check(::chdir(plan.rootfs.c_str()), failure_fd, "chdir", plan.rootfs);
  if (plan.mode == RootfsMode::kPivotRoot) {
    // pivot_root(".", "."): the old root ends up mounted on top of the new one, where
    // a lazy unmount removes it without needing a directory for it in the image.
    check(static_cast<int>(::syscall(SYS_pivot_root, ".", ".")), failure_fd, "pivot_root", plan.rootfs);
    check(::umount2(".", MNT_DETACH), failure_fd, "detach old root", "/");
    check(::chdir("/"), failure_fd, "chdir", "/");
    if (plan.read_only)
      check(::mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), failure_fd,
            "remount read-only", "/");
  } else {
    if (plan.read_only)
      check(::mount(nullptr, ".", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr), failure_fd,
            "remount read-only", plan.rootfs);
    check(::chroot("."), failure_fd, "chroot", plan.rootfs);
    check(::chdir("/"), failure_fd, "chdir", "/");
  }
}

}  // namespace isobench
