#include "run_audit.hpp"

#include <unistd.h>

#include <cstdio>

namespace isobench::safety {

HostRoots host_roots(const std::filesystem::path& state_dir) {
  HostRoots roots;
  roots.state_dir = state_dir;
  return roots;
}

std::vector<std::string> audit_run(const RunBaseline& baseline, const HostRoots& roots) {
  std::vector<std::string> lines;
  auto found = leaks_of_run(scan_host(roots), baseline);
  for (const auto& artifact : found.unattributed)
    std::fprintf(stderr, "bench: warning: %s appeared during the run, named without a pid: left alone\n",
                 artifact.describe().c_str());
  for (const auto& removal : remove_artifacts(std::move(found.leaks), roots)) {
    std::string line = removal.artifact.describe() +
                       (removal.error ? " (NOT removed: " + removal.error->describe() + ")" : " (removed)");
    std::fprintf(stderr, "bench: leak: %s\n", line.c_str());
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<Removal> clean_host(const HostRoots& roots) {
  return remove_artifacts(leftovers(scan_host(roots), ProcessTable(roots.proc), ::getpid()), roots);
}

}  // namespace isobench::safety
