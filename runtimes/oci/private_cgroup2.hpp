// Running a program in a private mount namespace where cgroup2 is mounted over
// /sys/fs/cgroup. crun refuses hybrid-cgroup hosts ("cgroups in hybrid mode not
// supported, drop all controllers from cgroupv2"); seen from such a namespace the host
// looks unified, and crun runs (with --cgroup-manager=disabled, since the v2 hierarchy
// of a hybrid host has no usable controllers). The mount vanishes with the namespace.
#pragma once

#include <string>
#include <vector>

#include "runtimes/common/spawn.hpp"

namespace isobench {

// Like spawn_process, with the mount namespace above. argv[0] must be an absolute path.
Result<ChildProcess> spawn_with_private_cgroup2(const std::vector<std::string>& argv, const SpawnIo& io);

}  // namespace isobench
