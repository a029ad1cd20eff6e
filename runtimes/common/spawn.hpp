// Starting a host process with chosen stdio, owned through a pidfd.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "error.hpp"

namespace isobench {

struct SpawnIo {
  int stdin_fd = -1;   // -1: /dev/null
  int stdout_fd = -1;  // -1: inherit
  int stderr_fd = -1;  // -1: inherit
};

// posix_spawn (glibc's clone(CLONE_VM|CLONE_VFORK) path) then pidfd_open: measured the
// cheapest way to start a static binary here (see the bare backend's notes).
// `env` empty: inherit the caller's environment.
Result<ChildProcess> spawn_process(const std::vector<std::string>& argv, const SpawnIo& io,
                                   const std::vector<std::string>& env = {});

Result<Pipe> make_pipe();

// The first executable `program` in the directories of $PATH (or, with no $PATH,
// /usr/local/bin:/usr/bin:/bin). spawn_process() runs argv[0] as a path and searches
// nothing (posix_spawn, not posix_spawnp), so a tool named without a '/' is resolved here
// first.
std::optional<std::filesystem::path> find_in_path(const std::string& program);

// Runs a command to completion and returns its standard output (for version probes and
// tools such as `crun --version`). Fails on a non-zero exit, with stderr's last line.
Result<std::string> capture_output(const std::vector<std::string>& argv, Deadline deadline);

}  // namespace isobench
