// How the container's child reports a failed setup step to the runtime: one fixed-size
// record on a CLOEXEC pipe (no allocation between clone and exec). A successful exec
// closes the pipe with nothing written.
#pragma once

#include <string>

namespace isobench {

struct ChildFailure {
  char step[48];   // "pivot_root", "mount proc"
  char path[208];  // the path it was done on, empty when none
  int errno_value;
};

// In the child: records the failure on `fd` and exits with status 127. Async-signal-safe.
[[noreturn]] void report_child_failure(int fd, const char* step, const char* path, int errno_value);

// In the runtime: "mount proc `/var/lib/.../proc`: Operation not permitted".
std::string describe(const ChildFailure& failure);

}  // namespace isobench
