// A container engine driven through its command line (docker, podman): the binary and
// the global flags that point it at isobench's own daemon or storage, and the container
// life that both engines share (create, start --attach, rm --force), each step timed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"

namespace isobench {

struct EngineCli {
  std::filesystem::path binary;
  std::vector<std::string> global_flags;  // docker: -H unix://SOCK; podman: --root DIR ...
  std::vector<std::string> env;           // empty: inherit
  // Added to `rm --force`: podman's stops with SIGTERM and waits 10 s before SIGKILL
  // (`--time 0` kills at once); docker's rm --force kills at once and takes no --time.
  std::vector<std::string> force_remove_flags;

  std::vector<std::string> argv(const std::vector<std::string>& args) const;
  // Runs `binary global_flags args` to completion; its stdout, trailing newline removed.
  Result<std::string> run(const std::vector<std::string>& args, Deadline deadline) const;
};

// One container of the shared image, as `ENGINE create` takes it.
struct EngineContainerSpec {
  std::string name;   // isobench-ENGINE-PID-N
  std::string image;  // isobench-ENGINE-PID-minimal
  std::vector<std::string> command;  // the workload's name and arguments (the image's entrypoint is the binary)
  Limits limits;
  NetworkAttachment network;
  std::vector<std::string> extra_flags;  // podman's --ulimit, its --runtime
  // The engine can join a network namespace prepared outside it, by path (podman's
  // `--network ns:PATH`); docker joins only its own networks or another container's.
  bool joins_netns_by_path = false;
};

// `create` arguments for `spec`: the same filesystem as the OCI bundles (read-only image,
// a 64 MiB tmpfs on /tmp), no network but loopback unless the net suite asks for the
// host's or (podman) a namespace it prepared. An error for a network the engine cannot join.
Result<std::vector<std::string>> engine_create_args(const EngineContainerSpec& spec);

// Creates the container, then starts it attached: the workload's stdout and stderr come
// through the engine's `start --attach` process. Phases: "launch", "created" (create
// returned), then the usual ready/exited/torn_down; teardown is `rm --force`.
// `attributes` are recorded on each row.
Result<std::unique_ptr<Instance>> launch_engine_container(const EngineCli& cli, const EngineContainerSpec& spec,
                                                          std::map<std::string, std::string> attributes);

// The host pid of a running container's init (`inspect --format {{.State.Pid}}`), 0 when
// it is not running.
Result<pid_t> engine_container_pid(const EngineCli& cli, const std::string& name);

// Imports `rootfs` as image `name` whose entrypoint is `entrypoint`: a tar of the tree
// (written in `scratch`), then `ENGINE import --change 'ENTRYPOINT [...]' TAR NAME`.
// Returns the seconds it took, the tar included. `rootfs` may also be a tar already made
// (scripts/build-distro-image keeps the distro rootfs so): it is imported as it is.
Result<double> engine_import_image(const EngineCli& cli, const std::filesystem::path& rootfs,
                                   const std::string& entrypoint, const std::string& name,
                                   const std::filesystem::path& scratch);

// One timed build of an image of the engine's own from `rootfs` (a tree or a tar; import), then its removal:
// the image suite's figure for an engine. `name` is unique to the call.
Result<double> engine_build_and_remove_image(const EngineCli& cli, const std::filesystem::path& rootfs,
                                             const std::string& entrypoint, const std::string& name,
                                             const std::filesystem::path& scratch);

// "Docker version 20.10.24+dfsg1, build 297e128" -> "20.10.24+dfsg1"; "podman version
// 4.3.1" -> "4.3.1"; the input when it has no version word.
std::string engine_version_word(const std::string& version_line);

}  // namespace isobench
