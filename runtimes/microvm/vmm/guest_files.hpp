// The workload's file descriptors and paths, as the VMM performs its file system calls
// on the host. Guest descriptors map to the VMM's own (0, 1, 2 to the VMM's stdio: the
// harness's pipe), so the workload never sees or closes the VMM's KVM descriptors.
// Paths are the host's, with two rules: /proc/self/exe is the workload binary (not the
// VMM), and the writable directory the workload is given (/var/tmp, as for bare) is a
// directory of the VMM's own inside it (isobench-microvm-PID), the only place where the
// workload may create, write or remove files; the VMM removes it when it ends.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace isobench::microvm {

class GuestFiles {
 public:
  // `guest_dir` (empty: none) is what the workload sees of `host_dir`.
  GuestFiles(std::string workload_binary, std::string guest_dir, std::string host_dir);
  ~GuestFiles();
  GuestFiles(const GuestFiles&) = delete;
  GuestFiles& operator=(const GuestFiles&) = delete;

  // The host descriptor behind guest descriptor `fd`, or -1.
  int host_fd(std::int64_t fd) const;
  // A directory argument of the *at calls: AT_FDCWD stays, a guest descriptor is
  // translated; nullopt for a bad one.
  std::optional<int> host_dirfd(std::int64_t fd) const;
  // Takes ownership of `host`; returns the lowest free guest descriptor.
  std::int64_t adopt(int host);
  // Closes guest descriptor `fd` (0, 1 and 2 are only forgotten); -EBADF when unknown.
  std::int64_t close(std::int64_t fd);

  // The host path for a guest path (/proc/self/exe and the writable directory translated).
  std::string host_path(const std::string& path) const;
  // True when guest `path` may be created, written or removed: inside the writable directory.
  bool may_modify(const std::string& path) const;
  const std::string& workload_binary() const { return workload_binary_; }

 private:
  std::string workload_binary_;
  std::string guest_dir_, host_dir_;  // absolute, no trailing slash; empty: nothing may be modified
  std::vector<int> table_;    // guest fd -> host fd, -1 when free
};

}  // namespace isobench::microvm
