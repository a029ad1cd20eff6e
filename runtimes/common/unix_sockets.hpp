// Which unix socket paths a process has bound: /proc/net/unix names each bound socket's
// inode and path, /proc/PID/fd links name the inodes a process holds. A containerd shim
// killed with SIGKILL leaves its socket file in /run/containerd/s/ (whatever containerd's
// own root), which only this tells apart from another shim's.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <vector>

namespace isobench {

// The socket paths under `dir` that the processes `pids` hold open; empty when none (or
// when /proc cannot be read).
std::vector<std::filesystem::path> unix_sockets_held_under(const std::vector<pid_t>& pids,
                                                           const std::filesystem::path& dir,
                                                           const std::filesystem::path& proc = "/proc");

}  // namespace isobench
