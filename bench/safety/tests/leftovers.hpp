// "Nothing left behind" for end-to-end tests: no isobench artifact (cgroup, mount, temp
// dir, QEMU or workload process, ...) owned by a finished bench process remains.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include "bench/safety/artifacts.hpp"

namespace isobench::safety::testing {

inline void expect_nothing_left_by(pid_t run) {
  for (const auto& artifact : scan_host(HostRoots{.state_dir = "/var/lib/isobench"}))
    EXPECT_NE(artifact.owner, run) << "left behind: " << artifact.describe();
}

}  // namespace isobench::safety::testing
