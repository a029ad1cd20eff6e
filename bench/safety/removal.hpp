// Removing what isobench left: kill its processes, empty and remove its cgroups, detach
// its mounts, delete its namespaces, devices, libvirt state files and temp dirs.
#pragma once

#include <optional>
#include <vector>

#include "runtimes/common/error.hpp"
#include "artifacts.hpp"

namespace isobench::safety {

Result<void> remove_artifact(const Artifact& artifact, const HostRoots& roots);

struct Removal {
  Artifact artifact;
  std::optional<Error> error;  // empty: removed
};

// In kind order (processes first, then cgroups, mounts, ..., dirs last).
std::vector<Removal> remove_artifacts(std::vector<Artifact> artifacts, const HostRoots& roots);

}  // namespace isobench::safety
