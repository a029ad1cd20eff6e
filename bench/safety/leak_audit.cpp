#include "leak_audit.hpp"

#include <unistd.h>

#include <fstream>

namespace isobench::safety {
namespace fs = std::filesystem;
namespace {

bool cgroup_has_tasks(const fs::path& dir) {
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    if (entry.path().filename() != "cgroup.procs") continue;
    std::ifstream in(entry.path());
    pid_t pid = 0;
    if (in >> pid) return true;
  }
  std::ifstream top(dir / "cgroup.procs");
  pid_t pid = 0;
  return static_cast<bool>(top >> pid);
}

bool changed_recently(const std::string& path) {
  std::error_code ec;
  auto written = fs::last_write_time(path, ec);
  if (ec) return false;
  return fs::file_time_type::clock::now() - written < kStaleAfter;
}

// For an artifact whose name carries no pid: may some live run still use it?
bool maybe_in_use(const Artifact& artifact, const ProcessTable& processes) {
  switch (artifact.kind) {
    case ArtifactKind::kProcess: {
      // An orphan (re-parented to init) outlived its run; one with a live parent is held.
      auto it = processes.processes().find(static_cast<pid_t>(std::stol(artifact.id)));
      return it != processes.processes().end() && it->second.ppid != 1;
    }
    case ArtifactKind::kCgroup:
      return cgroup_has_tasks(artifact.id) || changed_recently(artifact.id);
    default:
      return processes.path_in_use(artifact.id) || changed_recently(artifact.id);
  }
}

bool owned_by_dead_run(const Artifact& artifact, pid_t self) {
  return artifact.owner && *artifact.owner != self && !process_alive(*artifact.owner);
}

}  // namespace

RunBaseline take_baseline(const HostRoots& roots) {
  auto now = scan_host(roots);
  return {::getpid(), std::set<Artifact>(now.begin(), now.end())};
}

RunLeaks leaks_of_run(const std::vector<Artifact>& now, const RunBaseline& baseline) {
  RunLeaks out;
  for (const auto& artifact : now) {
    if (artifact.kind == ArtifactKind::kProcess && artifact.id == std::to_string(baseline.run_pid)) continue;
    bool new_here = !baseline.present_at_start.contains(artifact);
    if (artifact.owner == baseline.run_pid || (new_here && owned_by_dead_run(artifact, baseline.run_pid)))
      out.leaks.push_back(artifact);
    else if (new_here && !artifact.owner)
      out.unattributed.push_back(artifact);
  }
  return out;
}

std::vector<Artifact> leftovers(const std::vector<Artifact>& now, const ProcessTable& processes, pid_t self) {
  std::vector<Artifact> out;
  for (const auto& artifact : now) {
    if (artifact.kind == ArtifactKind::kProcess && artifact.id == std::to_string(self)) continue;
    bool orphan = artifact.owner ? owned_by_dead_run(artifact, self) : !maybe_in_use(artifact, processes);
    if (orphan) out.push_back(artifact);
  }
  return out;
}

}  // namespace isobench::safety
