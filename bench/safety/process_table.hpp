// A snapshot of /proc: parents, command lines and what each process holds open, to find
// a run's descendants and to tell whether a leftover path is still in use.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace isobench::safety {

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string cmdline;  // arguments joined by spaces; empty for kernel threads and zombies
};

class ProcessTable {
 public:
  explicit ProcessTable(const std::filesystem::path& proc = "/proc");

  const std::map<pid_t, ProcessInfo>& processes() const { return processes_; }
  // Every process below `root` in the parent tree (not `root` itself).
  std::vector<pid_t> descendants_of(pid_t root) const;
  // True when a live process has its cwd, root or an open fd at or under `path`.
  bool path_in_use(const std::filesystem::path& path) const;

 private:
  std::filesystem::path proc_;
  std::map<pid_t, ProcessInfo> processes_;
  mutable std::vector<std::string> held_paths_;  // read on first path_in_use
  mutable bool held_read_ = false;
};

}  // namespace isobench::safety
