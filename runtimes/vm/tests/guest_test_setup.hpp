// What every guest test needs before it boots anything: the cached guest kernel and a
// BackendConfig on a private state dir (its own libvirt embed root, removed with it).
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"
#include "runtimes/common/proc_file.hpp"
#include "runtimes/guest/guest_kernel.hpp"

namespace isobench::vm::testing {

inline std::filesystem::path cached_kernel() {
  const char* state = std::getenv("ISOBENCH_STATE_DIR");
  return guest::cached_kernel_path(state && *state ? state : "/var/lib/isobench");
}

// A fresh state dir under the temp dir; empty path when mkdtemp failed.
inline std::filesystem::path make_test_state_dir() {
  std::string dir_template = (std::filesystem::temp_directory_path() / "isobench-test-state.XXXXXX").string();
  return ::mkdtemp(dir_template.data()) != nullptr ? std::filesystem::path(dir_template) : std::filesystem::path();
}

inline BackendConfig guest_test_config(const std::filesystem::path& state_dir) {
  BackendConfig config;
  config.workload_binary = std::getenv("ISOBENCH_WORKLOAD");
  config.state_dir = state_dir;
  config.guest_kernel = cached_kernel();
  config.vm_accel = "auto";
  return config;
}

// The pids of the other processes whose command line contains `needle` (the guests' QEMU,
// found by their private state dir). They may exit while /proc is read: read_proc_file.
inline std::vector<std::string> processes_mentioning(const std::string& needle) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string pid = entry.path().filename().string();
    if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(::getpid())) continue;
    if (read_proc_file(entry.path() / "cmdline").find(needle) != std::string::npos) found.push_back(pid);
  }
  return found;
}

}  // namespace isobench::vm::testing
