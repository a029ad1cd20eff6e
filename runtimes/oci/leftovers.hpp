// What a killed OCI runtime leaves behind, found by the container's id. runc and crun
// keep their state in ROOT/ID/; runsc in ROOT/ID_sandbox:ID.state and .lock, and a runsc
// killed before its sandbox came up leaves the cgroup it had made (linux.cgroupsPath
// "/ID") under every v1 controller, which `runsc delete --force` no longer knows about.
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench {

// True when the runtime still holds state for container `id` under `state_root`.
bool runtime_state_exists(const std::filesystem::path& state_root, const std::string& id);

// Removes runsc's lock file for `id`, which `delete` leaves.
Result<void> remove_runtime_lock(const std::filesystem::path& state_root, const std::string& id);

// Removes the (empty) cgroup directories named `id` directly under each hierarchy of
// `cgroup_root`: the v1 controllers, the unified tree of a hybrid host, or a v2 root.
// Missing ones are no error; a non-empty one is (its processes still run).
Result<void> remove_container_cgroups(const std::string& id,
                                      const std::filesystem::path& cgroup_root = "/sys/fs/cgroup");

}  // namespace isobench
