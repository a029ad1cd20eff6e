// The backend interface: one implementation per isolation technology.
//
// A backend is probed once (available, or unavailable with a reason the user can act
// on), then launches instances of the workload binary. An Instance owns everything it
// created on the host and releases it in teardown() or, on any other path, in its
// destructor. Phases are CLOCK_MONOTONIC timestamps taken by the harness side.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/child_process.hpp"
#include "common/clock.hpp"
#include "common/error.hpp"
#include "common/phase_log.hpp"

namespace isobench {

struct Limits {
  std::optional<std::uint64_t> memory_bytes;
  std::optional<double> cpus;
  std::optional<std::uint64_t> pids;

  bool empty() const { return !memory_bytes && !cpus && !pids; }
  std::string describe() const;  // "memory 64 MiB, cpus 1.5, pids 32" or "none"
};

// What the workload binary is asked to do: `isobench-workload NAME ARGS...`.
struct WorkloadCommand {
  std::string name;
  std::vector<std::string> args;

  std::vector<std::string> argv(const std::string& binary) const;
};

// Where an instance's network comes from (the net suite prepares it, runtimes/net/).
// kOwn is each backend's default: the container's new namespace with loopback only, a
// guest without a NIC.
struct NetworkAttachment {
  enum class Kind { kOwn, kHost, kJoin, kTap };
  Kind kind = Kind::kOwn;
  std::string netns_path;     // kJoin: a prepared network namespace (a veth inside)
  std::string tap;            // kTap: a prepared tap device for the guest's virtio-net
  std::string guest_cidr;     // kTap: the address the guest gives itself, "10.1.2.2/24"
  std::string guest_gateway;  // kTap: its default route
};

struct LaunchOptions {
  WorkloadCommand workload;
  Limits limits;
  NetworkAttachment network;
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(10)};
};

// How one instance ended.
struct Outcome {
  std::string result_line;  // the workload's JSON result line, empty if it printed none
  ExitStatus status;
  // Empty on success; otherwise why the run failed, in words a user reads
  // ("killed: out of memory (limit 64 MiB)", "exit code 2: unknown workload").
  std::string failure;

  bool ok() const { return failure.empty(); }
};

class Instance {
 public:
  virtual ~Instance() = default;

  // Blocks until the workload's readiness line arrives; returns that line.
  virtual Result<std::string> wait_ready(Deadline deadline) = 0;
  // Blocks until the workload has printed its result and its host side is reaped.
  virtual Result<Outcome> wait_exit(Deadline deadline) = 0;
  // Releases every host resource. Idempotent; the destructor calls it when needed.
  virtual Result<void> teardown() = 0;
  // Host processes that make up the instance (for footprint): the workload, the
  // runtime's shim, QEMU.
  virtual std::vector<pid_t> host_pids() const = 0;
  // Facts recorded with each result row: {"accel": "tcg"}, {"rootfs": "pivot_root"}.
  virtual std::map<std::string, std::string> attributes() const { return {}; }

  PhaseLog& phases() { return phases_; }
  const PhaseLog& phases() const { return phases_; }

 protected:
  PhaseLog phases_;
};

struct Availability {
  bool available = false;
  std::string reason;  // why not, and what to do about it
  // Unavailable because of what the user named (a --libvirt-uri that cannot be
  // reached): a suite run refuses it in one line with exit 2 rather than skipping it.
  bool bad_input = false;

  static Availability yes() { return {true, {}}; }
  static Availability no(std::string why) { return {false, std::move(why)}; }
  static Availability refused(std::string why) { return {false, std::move(why), true}; }
};

// One line of `bench doctor`.
struct DoctorCheck {
  std::string name;
  bool ok = false;
  std::string detail;  // what was found
  std::string fix;     // how to fix it when !ok
};

// Settings shared by every backend, from the command line and the host.
struct BackendConfig {
  std::filesystem::path workload_binary;  // the one static workload executable
  std::filesystem::path state_dir;        // persistent: images, guest kernel, libvirt root
  std::optional<std::filesystem::path> guest_kernel;
  std::string libvirt_uri;                // empty: embedded driver under state_dir
  std::string vm_accel = "auto";          // auto | kvm | tcg
  std::string vm_machine = "q35";         // q35 | microvm: QEMU's machine model for vm and qemu
  std::string rootfs_mode = "pivot_root"; // pivot_root | chroot
  std::string runsc_platform = "ptrace";  // ptrace | kvm: how gVisor's Sentry traps the workload
  std::string docker_host;                // empty: DOCKER_HOST, else a private dockerd bench starts
};

// What kind of isolation a backend is.
//   kProcess    a host process, no isolation (bare)
//   kContainer  isobench's own namespaces and cgroup (container)
//   kOci        an OCI runtime running a bundle (crun, runc)
//   kVm         a guest kernel booted by QEMU, through libvirt or not (vm, qemu)
//   kMicroVm    a VMM on /dev/kvm with no guest OS (kvm)
//   kSandbox    a user-space kernel between the workload and the host's (runsc): neither
//               a host process using the host's kernel directly nor a guest OS
enum class BackendFamily { kProcess, kContainer, kOci, kVm, kMicroVm, kSandbox };
// "process", "container", "oci", "vm", "microvm", "sandbox".
std::string_view to_string(BackendFamily family);

// What a backend is, known without probing it. Code outside the backend table branches
// on these, never on a backend's name; the manifest records them per backend.
struct BackendTraits {
  BackendFamily family = BackendFamily::kProcess;
  // The instance boots a guest kernel: seconds to start, a guest sized from the limits.
  bool boots_guest_os = false;
  // Puts the workload under cgroup limits for --memory, --cpus and --pids. (A guest is
  // sized from --memory and --cpus instead; a process takes no limit at all.)
  bool enforces_limits = false;
  // ... and only as root: without it the cgroup is missing (no delegation is assumed).
  bool limits_need_root = false;
  // A workload killed for exceeding its memory limit ends with "out of memory" in its
  // failure, not only with the signal.
  bool reports_oom_kill = false;
  // The directory inside the instance where the io workload may create files.
  std::string writable_dir = "/var/tmp";
  // False for a backend that runs no workload (kvm measures the hypervisor itself).
  bool runs_workloads = true;
  // The guest may run emulated (TCG, or a KVM that the host's hypervisor emulates): its
  // figures are then no hypervisor's.
  bool emulation_possible = false;
  // A container engine (client, daemon or conmon) in front of an OCI runtime: what the
  // seed calls a container when it says Docker. C5 gets a row of its own for each.
  bool container_engine = false;
  // Lifecycle timeouts the suites use: time to readiness, then time to exit.
  std::chrono::seconds ready_timeout{10};
  std::chrono::seconds exit_timeout{60};
};

// {"family": "vm", "boots_guest_os": true, ..., "ready_timeout_s": 60, "exit_timeout_s": 120}
nlohmann::json to_json(const BackendTraits& traits);

class Backend {
 public:
  virtual ~Backend() = default;

  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  // Cheap after the first call; never throws, never hangs.
  virtual Availability probe() = 0;
  virtual Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) = 0;
  // What the backend is; constant for its lifetime, no probing.
  virtual BackendTraits traits() const = 0;
  bool runs_workloads() const { return traits().runs_workloads; }
  // Prerequisite checks beyond probe(), for `bench doctor`.
  virtual std::vector<DoctorCheck> doctor() { return {}; }
  // Facts for the environment manifest: runtime versions, accelerator, deviations
  // from the standard set-up (e.g. crun run in a private cgroup2 mount).
  virtual std::map<std::string, std::string> manifest() { return {}; }
  // Stops what the backend keeps running between instances (a private daemon) and
  // removes what it made for the run (an image), before the run's leak audit. Idempotent;
  // the destructor does it otherwise. No instance may be alive.
  virtual Result<void> shut_down() { return {}; }
  // Builds the backend's own image from a prepared image rootfs (an engine's `import`),
  // removes it again, and returns the seconds the build took; nullopt for a backend that
  // runs the rootfs as it is (container, crun, runc, runsc). Only after probe() said yes.
  virtual Result<std::optional<double>> build_image_from(const std::filesystem::path& rootfs) {
    (void)rootfs;
    return std::nullopt;
  }
};

using BackendFactory = std::unique_ptr<Backend> (*)(const BackendConfig&);

struct BackendEntry {
  const char* name;
  BackendFactory make;
};

// Every backend isobench knows, in the order SPEC.md lists them.
std::span<const BackendEntry> backend_table();

}  // namespace isobench
