// OCI runtimes (`crun`, `runc`, and gVisor's `runsc` through runtimes/runsc/): the shared
// image as an OCI bundle, run in the foreground by the installed runtime
// (`RUNTIME --root /run/isobench-NAME [FLAGS] run --bundle DIR ID`), whose stdio passes
// straight to the workload. Each run has a unique id; a container left behind by a killed
// runtime is deleted with `delete --force` in teardown.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"

namespace isobench {

// What one runtime needs beyond the common bundle-and-run path.
struct OciRuntimeKind {
  std::string name;  // the backend name and the binary looked up in PATH
  // crun refuses hybrid cgroup hosts: run it in a private mount namespace with cgroup2
  // over /sys/fs/cgroup and its cgroup manager disabled (HOST-NOTES.md).
  bool refuses_hybrid_cgroups = false;
  BackendFamily family = BackendFamily::kOci;
  std::string summary{};  // empty: "the shared image as an OCI bundle, run by NAME"
  // The runtime's flag for running without cgroups (crun's --cgroup-manager=disabled).
  std::string no_cgroups_flag = "--cgroup-manager=disabled";
  // Where the host needs it: when the test container fails over cgroups, try once more with
  // no_cgroups_flag and keep it (recorded as a deviation) if that one runs.
  bool retry_without_cgroups = false;
  // Global flags before `run` for one launch (runsc takes its platform and network as
  // flags, not from the bundle); an error refuses the launch.
  std::function<Result<std::vector<std::string>>(const NetworkAttachment&)> launch_flags{};
  // Checked before the test container: an unavailable answer ends the probe with it.
  std::function<Availability(const std::filesystem::path& binary)> precheck{};
  // The reason given when the test container failed, in the runtime's terms.
  std::function<std::string(const std::string& reason)> explain_failed_probe{};
  // Facts added to every row's attributes ({"platform": "ptrace"}).
  std::map<std::string, std::string> row_attributes{};
  // Facts added to the manifest and doctor's lines.
  std::function<std::map<std::string, std::string>()> manifest{};
  std::function<std::vector<DoctorCheck>()> doctor{};
  // How long the test container's readiness and exit may each take.
  std::chrono::seconds probe_timeout{20};
};

OciRuntimeKind crun_kind();
OciRuntimeKind runc_kind();

std::unique_ptr<Backend> make_oci_backend(const BackendConfig& config, OciRuntimeKind kind);

// The runtime binary: PATH, then the sbin directories a root shell would search.
std::optional<std::filesystem::path> find_runtime_binary(const std::string& name);

}  // namespace isobench
