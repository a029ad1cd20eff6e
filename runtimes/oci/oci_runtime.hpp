// `crun` and `runc`: the shared image as an OCI bundle, run in the foreground by the
// installed runtime (`RUNTIME --root /run/isobench-NAME run --bundle DIR ID`), whose
// stdio passes straight to the workload. Each run has a unique id; a container left
// behind by a killed runtime is deleted with `delete --force` in teardown.
#pragma once

#include <filesystem>

#include "runtimes/backend.hpp"

namespace isobench {

struct OciRuntimeKind {
  const char* name;     // "crun", "runc": the backend name and the binary looked up in PATH
  // crun refuses hybrid cgroup hosts: run it in a private mount namespace with cgroup2
  // over /sys/fs/cgroup and its cgroup manager disabled (HOST-NOTES.md).
  bool refuses_hybrid_cgroups;
};

inline constexpr OciRuntimeKind kCrun{"crun", true};
inline constexpr OciRuntimeKind kRunc{"runc", false};

std::unique_ptr<Backend> make_oci_backend(const BackendConfig& config, const OciRuntimeKind& kind);

// The runtime binary: PATH, then the sbin directories a root shell would search.
std::optional<std::filesystem::path> find_runtime_binary(const std::string& name);

}  // namespace isobench
