#include "oci_runtime.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>

#include "runtimes/common/cgroup_mode.hpp"
#include "runtimes/common/probe_run.hpp"
#include "runtimes/common/process_instance.hpp"
#include "runtimes/image/minimal_image.hpp"
#include "bundle.hpp"
#include "leftovers.hpp"
#include "private_cgroup2.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// What differs from the runtime's standard set-up on this host, recorded in the
// manifest and on each row.
struct Deviation {
  bool private_cgroup2 = false;  // run in a mount namespace with cgroup2 over /sys/fs/cgroup
  bool cgroups_disabled = false;  // kind.no_cgroups_flag: no cgroup, no limits
  std::string why;                // in words, for the manifest
};

std::string unique_container_id(const std::string& runtime) {
  static std::atomic<unsigned> sequence{0};
  return "isobench-" + runtime + "-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
}

class OciInstance final : public ProcessInstance {
 public:
  OciInstance(ChildProcess child, LineReader output, Bundle bundle, std::vector<std::string> delete_argv,
              fs::path state_root, std::string id, bool private_cgroup2, std::map<std::string, std::string> attributes)
      : ProcessInstance(std::move(child), std::move(output)),
        bundle_(std::move(bundle)),
        delete_argv_(std::move(delete_argv)),
        state_root_(std::move(state_root)),
        id_(std::move(id)),
        private_cgroup2_(private_cgroup2),
        attributes_(std::move(attributes)) {}
  ~OciInstance() override { teardown_in_destructor(); }

  std::map<std::string, std::string> attributes() const override { return attributes_; }

 protected:
  // A container still running (an idle one, a workload past its deadline) is killed
  // through the runtime, and its `run` process left to end by itself: that process is the
  // parent of the runtime's helpers (runsc's sandbox and gofer, runc's init) and reaps
  // them. Killed first, it would orphan them to this machine's init, which reaps late
  // (HOST-NOTES.md), and `runsc delete` then polls the zombie sandbox until its 5 s
  // deadline: "waiting sandbox ... stop: context deadline exceeded".
  void stop_gracefully() override {
    if (!runtime_state_exists(state_root_, id_)) return;
    Deadline deadline = Deadline::after(std::chrono::seconds(10));
    std::vector<std::string> argv = delete_argv_;
    argv.resize(argv.size() - 3);  // the global flags, without `delete --force ID`
    argv.push_back("kill");
    argv.push_back(id_);
    argv.push_back("KILL");
    if (auto killed = run_runtime(argv, deadline); !killed) return;  // the forced delete follows
    (void)child().wait(deadline);
  }


  Result<void> release_resources() override {
    Result<void> first;
    // A runtime that ran to the end removed its container; one that was killed left it
    // (and its init, on its own) behind: the runtime's state says which.
    if (runtime_state_exists(state_root_, id_)) {
      auto deleted = force_delete();
      if (!deleted) first = std::unexpected(deleted.error().with_context(delete_argv_[0] + " delete"));
    }
    if (auto removed = remove_runtime_lock(state_root_, id_); !removed && first) first = removed;
    // Seen from a private cgroup2 mount the runtime made no host cgroup.
    if (!private_cgroup2_)
      if (auto removed = remove_container_cgroups(id_); !removed && first) first = removed;
    if (auto removed = bundle_.remove(); !removed && first) first = removed;
    return first;
  }

 private:
  Result<void> force_delete() { return run_runtime(delete_argv_, Deadline::after(std::chrono::seconds(10))); }

  // One runtime command (delete, kill), in the private cgroup2 namespace where launches run.
  Result<void> run_runtime(const std::vector<std::string>& argv, Deadline deadline) {
    if (!private_cgroup2_) {
      auto output = capture_output(argv, deadline);
      if (!output) return std::unexpected(output.error());
      return {};
    }
    auto child = spawn_with_private_cgroup2(argv, {});
    if (!child) return std::unexpected(child.error());
    auto status = child->wait(deadline);
    if (!status) return std::unexpected(status.error());
    if (!status->success()) return fail(status->describe());
    return {};
  }

  Bundle bundle_;
  std::vector<std::string> delete_argv_;
  fs::path state_root_;
  std::string id_;
  bool private_cgroup2_;
  std::map<std::string, std::string> attributes_;
};

class OciBackend final : public Backend {
 public:
  OciBackend(const BackendConfig& config, OciRuntimeKind kind)
      : config_(config), kind_(std::move(kind)), state_root_("/run/isobench-" + kind_.name) {}

  std::string name() const override { return kind_.name; }
  std::string summary() const override {
    return kind_.summary.empty() ? "the shared image as an OCI bundle, run by " + kind_.name : kind_.summary;
  }
  // The bundle's root is read-only with a tmpfs on /tmp (bundle.cpp). The limits go into
  // the bundle's linux.resources; the runtime applies them.
  BackendTraits traits() const override {
    return {.family = kind_.family, .enforces_limits = true, .writable_dir = "/tmp"};
  }

  Availability probe() override {
    if (!probed_) probed_ = check();
    return *probed_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!image_) {
      if (auto available = probe(); !available.available) return fail(name() + ": " + available.reason);
    }
    std::int64_t launch_ns = monotonic_ns();
    if (!options.limits.empty() && deviation_.cgroups_disabled)
      return fail(name() + " runs with " + kind_.no_cgroups_flag + " on this host and cannot apply limits (" +
                  options.limits.describe() + "): use --backend container or runc");
    std::string id = unique_container_id(kind_.name);
    OciConfigOptions config;
    config.rootfs = image_->rootfs;
    config.args = options.workload.argv(image_->workload_path);
    config.namespaces = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
    // The net suite's modes: the host's network, or a prepared namespace with a veth.
    using NetKind = NetworkAttachment::Kind;
    if (options.network.kind == NetKind::kTap) return fail(name() + ": a tap device is for guests");
    if (options.network.kind == NetKind::kHost) std::erase(config.namespaces, "network");
    if (options.network.kind == NetKind::kJoin) config.namespace_paths["network"] = options.network.netns_path;
    if (!deviation_.cgroups_disabled) config.cgroups_path = "/" + id;
    config.limits = options.limits;
    auto bundle = Bundle::create(config);
    if (!bundle) return std::unexpected(bundle.error().with_context(name()));

    auto flags = global_args(options.network);
    if (!flags) return std::unexpected(flags.error());
    auto output = make_pipe();
    if (!output) return std::unexpected(output.error().with_context(name()));
    std::vector<std::string> argv = *flags;
    for (const char* arg : {"run", "--bundle"}) argv.push_back(arg);
    argv.push_back(bundle->dir().string());
    argv.push_back(id);
    SpawnIo io{-1, output->write_end.get(), output->write_end.get()};
    auto child = deviation_.private_cgroup2 ? spawn_with_private_cgroup2(argv, io) : spawn_process(argv, io);
    if (!child) return std::unexpected(child.error().with_context(name()));
    output->write_end.reset();

    std::vector<std::string> delete_argv = *flags;
    for (const char* arg : {"delete", "--force"}) delete_argv.push_back(arg);
    delete_argv.push_back(id);
    auto instance = std::make_unique<OciInstance>(std::move(*child), LineReader(std::move(output->read_end)),
                                                  std::move(*bundle), std::move(delete_argv), state_root_, id,
                                                  deviation_.private_cgroup2, row_attributes());
    instance->phases().mark_at("launch", launch_ns);
    instance->phases().mark("created");
    return instance;
  }

  std::vector<DoctorCheck> doctor() override {
    Availability available = probe();
    std::vector<DoctorCheck> checks;
    checks.push_back({name(), available.available, available.available ? version_ : available.reason,
                      "apt-get install " + kind_.name + " (and run bench as root)"});
    if (deviation_.private_cgroup2)
      checks.push_back({name() + ": hybrid cgroups", true,
                        "refuses hybrid hosts: run in a private mount namespace with cgroup2 over /sys/fs/cgroup, "
                        "--cgroup-manager=disabled (no limits)",
                        ""});
    else if (deviation_.cgroups_disabled)
      checks.push_back({name() + ": cgroups", true, deviation_.why, ""});
    if (kind_.doctor)
      for (auto& check : kind_.doctor()) checks.push_back(std::move(check));
    return checks;
  }

  std::map<std::string, std::string> manifest() override {
    std::map<std::string, std::string> out;
    if (!version_.empty()) out["version"] = version_;
    if (binary_) out["binary"] = binary_->string();
    out["state_root"] = state_root_.string();
    if (deviation_.cgroups_disabled) {
      out["deviation"] = deviation_.why;
      out["cgroup_manager"] = "disabled";
    } else {
      out["cgroup_manager"] = "cgroupfs";
    }
    if (kind_.manifest)
      for (auto& [key, value] : kind_.manifest()) out[key] = std::move(value);
    return out;
  }

 private:
  Result<std::vector<std::string>> global_args(const NetworkAttachment& network) const {
    std::vector<std::string> argv = {binary_->string(), "--root", state_root_.string()};
    if (deviation_.cgroups_disabled) argv.push_back(kind_.no_cgroups_flag);
    if (kind_.launch_flags) {
      auto flags = kind_.launch_flags(network);
      if (!flags) return std::unexpected(flags.error().with_context(name()));
      argv.insert(argv.end(), flags->begin(), flags->end());
    }
    return argv;
  }

  std::map<std::string, std::string> row_attributes() const {
    std::string runtime = version_;
    std::replace(runtime.begin(), runtime.end(), ' ', '-');
    std::map<std::string, std::string> out = {{"runtime", runtime}};
    out["cgroup"] = deviation_.cgroups_disabled ? "disabled" : to_string(detect_cgroup_mode());
    if (deviation_.private_cgroup2) out["cgroup2"] = "private_mount";
    out.insert(kind_.row_attributes.begin(), kind_.row_attributes.end());
    return out;
  }

  Availability check() {
    binary_ = find_runtime_binary(kind_.name);
    if (!binary_) return Availability::no(std::string(kind_.name) + " is not installed (apt-get install " + kind_.name + ")");
    if (::geteuid() != 0)
      return Availability::no(
          std::string("needs root: isobench generates rootful OCI bundles only (run bench as root, or use the "
                      "container backend, which runs rootless in a user namespace)"));
    auto version = capture_output({binary_->string(), "--version"}, Deadline::after(std::chrono::seconds(5)));
    if (!version) return Availability::no(version.error().describe());
    // "crun version 1.8.1\ncommit: ..." -> "crun 1.8.1"
    std::string first_line = version->substr(0, version->find('\n'));
    version_ = kind_.name + " " + first_line.substr(first_line.rfind(' ') + 1);
    if (kind_.refuses_hybrid_cgroups && detect_cgroup_mode() == CgroupMode::kHybrid)
      deviation_ = {true, true,
                    "host cgroups are hybrid, which " + kind_.name +
                        " refuses: run in a private mount namespace with cgroup2 mounted over /sys/fs/cgroup and "
                        "--cgroup-manager=disabled, so its containers get no cgroup and no limits"};
    if (kind_.precheck)
      if (Availability pre = kind_.precheck(*binary_); !pre.available) return pre;
    auto image = ensure_minimal_image(config_);
    if (!image) return Availability::no(image.error().describe());
    image_ = *image;
    // One real container outside any timing: the answer to "can it run here".
    auto run_noop = [this] {
      return probe_by_running_noop([this](const LaunchOptions& options) { return launch(options); },
                                   kind_.probe_timeout);
    };
    Availability available = run_noop();
    if (!available.available && kind_.explain_failed_probe)
      available.reason = kind_.explain_failed_probe(available.reason);
    // Only a failure that names cgroups is worth a second test container: a sandbox
    // that never started (a timeout) would only time out again.
    if (available.available || !kind_.retry_without_cgroups || deviation_.cgroups_disabled ||
        available.reason.find("cgroup") == std::string::npos)
      return available;
    deviation_ = {false, true,
                  "its test container failed with cgroups (" + available.reason + "), so it runs with " +
                      kind_.no_cgroups_flag + ": no cgroup, no limits"};
    Availability without = run_noop();
    if (!without.available) {
      deviation_ = {};
      return available;
    }
    return without;
  }

  BackendConfig config_;
  OciRuntimeKind kind_;
  fs::path state_root_;
  std::optional<fs::path> binary_;
  std::string version_;
  Deviation deviation_;
  std::optional<MinimalImage> image_;
  std::optional<Availability> probed_;
};

}  // namespace

std::optional<fs::path> find_runtime_binary(const std::string& name) {
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (!dir.empty() && dir[0] == '/') {
      fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

OciRuntimeKind crun_kind() { return {.name = "crun", .refuses_hybrid_cgroups = true}; }
OciRuntimeKind runc_kind() { return {.name = "runc"}; }

std::unique_ptr<Backend> make_oci_backend(const BackendConfig& config, OciRuntimeKind kind) {
  return std::make_unique<OciBackend>(config, std::move(kind));
}

}  // namespace isobench
