// Which leftovers belong to whom; the README's "What isobench leaves on your host" says
// the same. Every backend names what it creates isobench-KIND-PID-N, with its own pid:
//  - a run's audit takes what is named with its own pid, and what appeared during the run
//    named with a pid that is no longer alive (a helper of the run that died);
//  - `bench clean` takes what is named with a pid that is no longer alive;
//  - an artifact named without a pid cannot be attributed: the audit only warns about it,
//    and `bench clean` takes it once no live process uses it (cwd, root or an open fd at
//    or under it; tasks in a cgroup; a process whose parent is still alive) and it has not
//    changed for kStaleAfter.
// So neither ever removes what a concurrent live run (another pid) still holds.
#pragma once

#include <chrono>
#include <set>
#include <vector>

#include "artifacts.hpp"
#include "process_table.hpp"

namespace isobench::safety {

inline constexpr std::chrono::seconds kStaleAfter{300};

struct RunBaseline {
  pid_t run_pid = 0;
  std::set<Artifact> present_at_start;
};

RunBaseline take_baseline(const HostRoots& roots);

struct RunLeaks {
  std::vector<Artifact> leaks;       // this run's: removed, and the run fails
  std::vector<Artifact> unattributed;  // new, named without a pid: a warning
};
RunLeaks leaks_of_run(const std::vector<Artifact>& now, const RunBaseline& baseline);
// What dead runs left behind (`bench clean`).
std::vector<Artifact> leftovers(const std::vector<Artifact>& now, const ProcessTable& processes, pid_t self);

}  // namespace isobench::safety
