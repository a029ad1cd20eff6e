// Shared set-up for the container tests that need root and a real kernel.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "container/container_runtime.hpp"
#include "image/minimal_image.hpp"

namespace isobench::testing {

#define ISOBENCH_REQUIRE_ROOT() \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: namespaces, cgroups and mounts"

// The minimal image, built into a per-process state dir under /tmp (removed by the caller).
inline ContainerImage test_image(const std::filesystem::path& state_dir) {
  BackendConfig config;
  config.workload_binary = ISOBENCH_WORKLOAD_BINARY;
  config.state_dir = state_dir;
  auto image = ensure_minimal_image(config);
  if (!image) ADD_FAILURE() << image.error().describe();
  return {image ? image->rootfs : std::filesystem::path(), config.workload_binary, "/isobench-workload"};
}

struct ContainerRun {
  std::string ready;
  Outcome outcome;
  std::map<std::string, std::string> attributes;
};

// One whole life: launch, ready, exit, teardown; fails the test on an error.
inline std::optional<ContainerRun> run_once(const ContainerSpec& spec, const ContainerImage& image, const LaunchOptions& options) {
  auto instance = launch_container(spec, image, options);
  if (!instance) {
    ADD_FAILURE() << "launch: " << instance.error().describe();
    return std::nullopt;
  }
  ContainerRun run;
  auto ready = (*instance)->wait_ready(Deadline::after(std::chrono::seconds(10)));
  if (ready) run.ready = *ready;
  auto outcome = (*instance)->wait_exit(Deadline::after(std::chrono::seconds(20)));
  if (!outcome) {
    ADD_FAILURE() << "exit: " << outcome.error().describe();
    return std::nullopt;
  }
  run.outcome = *outcome;
  run.attributes = (*instance)->attributes();
  auto torn_down = (*instance)->teardown();
  if (!torn_down) ADD_FAILURE() << "teardown: " << torn_down.error().describe();
  return run;
}

class StateDir {
 public:
  StateDir() {
    char dir[] = "/tmp/isobench-container-test-XXXXXX";
    if (::mkdtemp(dir) == nullptr) ADD_FAILURE() << "mkdtemp";
    path_ = dir;
  }
  ~StateDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace isobench::testing
