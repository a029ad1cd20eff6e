#include "podman_backend.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <optional>
#include <sstream>

#include "runtimes/common/cgroup_mode.hpp"
#include "runtimes/common/probe_run.hpp"
#include "runtimes/common/spawn.hpp"
#include "runtimes/engine/engine_cli.hpp"
#include "runtimes/engine/engine_host.hpp"
#include "runtimes/image/minimal_image.hpp"
#include "runtimes/oci/oci_runtime.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// Made by podman 4.3 on first use whatever --root/--runroot say (parents first).
std::vector<fs::path> first_use_paths() {
  return {"/var/lib/containers", "/var/lib/containers/cache", "/var/cache/containers",
          "/var/cache/containers/short-name-aliases.conf.lock", "/etc/cni/net.d/cni.lock", "/run/runc"};
}

// The mount points at or below `dir`, deepest first (storage's overlay mounts).
std::vector<std::string> mounts_below(const fs::path& dir) {
  std::ifstream in("/proc/self/mountinfo");
  std::vector<std::string> out;
  const std::string prefix = dir.string() + "/";
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (fields >> id >> parent >> devno >> root >> mount_point && (mount_point + "/").starts_with(prefix))
      out.push_back(mount_point);
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

class PodmanBackend final : public Backend {
 public:
  explicit PodmanBackend(const BackendConfig& config) : config_(config) {}
  ~PodmanBackend() override { (void)shut_down(); }

  std::string name() const override { return "podman"; }
  std::string summary() const override {
    return "the shared image through Podman (daemonless: podman, conmon, " + runtime_name() + ")";
  }
  BackendTraits traits() const override {
    return {.family = BackendFamily::kOci, .enforces_limits = true, .writable_dir = "/tmp", .container_engine = true};
  }

  Availability probe() override {
    if (!probed_) probed_ = check();
    return *probed_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!cli_) {
      if (auto available = probe(); !available.available) return fail("podman: " + available.reason);
    }
    static std::atomic<unsigned> sequence{0};
    EngineContainerSpec spec;
    spec.name = "isobench-podman-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
    spec.image = image_name_;
    spec.command = options.workload.argv("");
    spec.command.erase(spec.command.begin());  // the image's entrypoint is the binary
    spec.limits = options.limits;
    spec.network = options.network;
    spec.joins_netns_by_path = true;  // --network ns:PATH: the net suite's veth and bridge
    spec.extra_flags = {"--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024", "--cgroup-parent", cgroup_parent()};
    std::map<std::string, std::string> attributes = {{"engine", "podman-" + version_},
                                                     {"runtime", runtime_name()},
                                                     {"ulimits", "nofile=1024:1024,nproc=1024:1024"}};
    using NetKind = NetworkAttachment::Kind;
    attributes["network"] = options.network.kind == NetKind::kHost   ? "host"
                            : options.network.kind == NetKind::kJoin ? "joined netns"
                                                                     : "none";
    auto instance = launch_engine_container(*cli_, spec, std::move(attributes));
    if (!instance) return std::unexpected(instance.error().with_context("podman"));
    return instance;
  }

  Result<std::optional<double>> build_image_from(const fs::path& rootfs) override {
    if (!cli_) return fail("podman: not available" );
    static std::atomic<unsigned> sequence{0};
    std::string name = "isobench-podman-" + std::to_string(::getpid()) + "-build-" + std::to_string(++sequence);
    auto seconds = engine_build_and_remove_image(*cli_, rootfs, "/isobench-workload", name, dir());
    if (!seconds) return std::unexpected(seconds.error());
    return std::optional<double>(*seconds);
  }

  std::vector<DoctorCheck> doctor() override {
    Availability available = probe();
    std::vector<DoctorCheck> checks;
    checks.push_back({"version", available.available, available.available ? "podman " + version_ : available.reason,
                      "apt-get install podman (and run bench as root)"});
    if (available.available)
      checks.push_back({"deviations", true, deviations(), ""});
    return checks;
  }

  std::map<std::string, std::string> manifest() override {
    std::map<std::string, std::string> out;
    if (!version_.empty()) out["version"] = "podman " + version_;
    if (binary_) out["binary"] = binary_->string();
    out["runtime"] = runtime_name();
    out["cgroup_manager"] = "cgroupfs";
    out["events_backend"] = "file";
    out["storage"] = dir().string() + " (runroot " + run_dir().string() + ")";
    out["cgroup_parent"] = cgroup_parent();
    out["network"] = "none (loopback only; the net suite: --network host, and --network ns:PATH into the namespace of "
                     "bench's own veth and bridge); no CNI network is created, the host's firewall is not touched";
    out["deviation"] = deviations();
    if (image_build_s_) out["image_build_s"] = std::to_string(*image_build_s_);
    return out;
  }

  Result<void> shut_down() override {
    if (shut_down_ || !made_) return {};
    shut_down_ = true;
    Result<void> first;
    auto keep = [&first](Result<void> step) {
      if (!step && first) first = step;
    };
    if (cli_) {
      // Containers a killed instance left, then the image; the storage goes next anyway,
      // but podman unmounts what it mounted only when asked.
      (void)cli_->run({"rm", "--all", "--force"}, Deadline::after(std::chrono::seconds(60)));
      (void)cli_->run({"image", "rm", "--all", "--force"}, Deadline::after(std::chrono::seconds(60)));
    }
    // conmon, and a `podman container cleanup` that conmon started, name the storage dir.
    Deadline deadline = Deadline::after(std::chrono::seconds(10));
    for (const fs::path& root : {dir(), run_dir()})
      for (pid_t pid : processes_naming(root.string())) kill_and_wait(pid, deadline);
    keep(remove_cgroup_everywhere(cgroup_parent().substr(1)));
    for (const fs::path& root : {dir(), run_dir()}) {
      for (const auto& mount_point : mounts_below(root))
        if (::umount2(mount_point.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
          keep(fail_errno("umount " + in_quotes(mount_point)));
      std::error_code ec;
      fs::remove_all(root, ec);
      if (ec) keep(fail_errno("remove " + in_quotes(root), ec.value()));
    }
    if (made_here_) keep(made_here_->remove_trees());
    return first;
  }

 private:
  fs::path dir() const { return config_.state_dir / ("isobench-podman-" + std::to_string(::getpid())); }
  // Podman refuses a runroot over 50 characters; its state belongs on /run anyway.
  fs::path run_dir() const { return "/run/isobench-podman-" + std::to_string(::getpid()); }
  std::string cgroup_parent() const { return "/isobench-podman-" + std::to_string(::getpid()); }
  // crun refuses hybrid hosts (HOST-NOTES.md); runc runs anywhere.
  std::string runtime_name() const {
    return detect_cgroup_mode() == CgroupMode::kUnified && find_runtime_binary("crun") ? "crun" : "runc";
  }
  std::string deviations() const {
    return "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 (podman's default rlimits fail here: setrlimit "
           "RLIMIT_NOFILE, then RLIMIT_NPROC, Operation not permitted); --runtime " +
           runtime_name() + (runtime_name() == "runc" ? " (crun refuses this host's hybrid cgroups)" : "") +
           "; --cgroup-manager cgroupfs --events-backend file (no systemd)";
  }

  Availability check() {
    binary_ = find_runtime_binary("podman");
    if (!binary_) return Availability::no("podman is not installed (apt-get install podman)");
    if (::geteuid() != 0)
      return Availability::no("needs root: isobench runs podman rootful, in storage of its own (run bench as root)");
    auto runtime = find_runtime_binary(runtime_name());
    if (!runtime) return Availability::no(runtime_name() + " is not installed (apt-get install " + runtime_name() + ")");
    auto version = capture_output({binary_->string(), "--version"}, Deadline::after(std::chrono::seconds(10)));
    if (!version) return Availability::no(version.error().describe());
    version_ = engine_version_word(*version);

    made_here_ = HostPathsMadeHere::before(first_use_paths());
    made_ = true;
    std::error_code ec;
    for (const fs::path& root : {dir(), run_dir()}) {
      fs::remove_all(root, ec);  // a pid's earlier run, long dead
      fs::create_directories(root, ec);
      fs::permissions(root, fs::perms::owner_all, ec);
    }
    for (const char* sub : {"root", "tmp"}) fs::create_directories(dir() / sub, ec);
    if (ec) return Availability::no("create " + dir().string() + ": " + ec.message());
    // For `bench clean`, should this run be killed before its shut-down.
    if (auto recorded = record_host_paths(made_here_->paths(), dir()); !recorded)
      return Availability::no(recorded.error().describe());
    const std::string d = dir().string(), r = run_dir().string();
    EngineCli cli{*binary_,
                  {"--root", d + "/root", "--runroot", r, "--tmpdir", d + "/tmp", "--cgroup-manager", "cgroupfs",
                   "--events-backend", "file", "--runtime", runtime->string(), "--runtime-flag", "root=" + r + "/runc"},
                  {},
                  {"--time", "0"}};
    auto image = ensure_minimal_image(config_);
    if (!image) return Availability::no(image.error().describe());
    std::string name = "isobench-podman-" + std::to_string(::getpid()) + "-minimal";
    auto imported = engine_import_image(cli, image->rootfs, image->workload_path, name, dir());
    if (!imported) return Availability::no(imported.error().describe());
    image_name_ = name;
    image_build_s_ = *imported;
    cli_ = cli;
    Availability ran = probe_by_running_noop([this](const LaunchOptions& options) { return launch(options); },
                                             std::chrono::seconds(60));
    if (!ran.available) cli_.reset();
    return ran;
  }

  BackendConfig config_;
  std::optional<fs::path> binary_;
  std::string version_;
  std::optional<EngineCli> cli_;
  std::string image_name_;
  std::optional<double> image_build_s_;
  std::optional<HostPathsMadeHere> made_here_;
  bool made_ = false;
  bool shut_down_ = false;
  std::optional<Availability> probed_;
};

}  // namespace

std::unique_ptr<Backend> make_podman_backend(const BackendConfig& config) {
  return std::make_unique<PodmanBackend>(config);
}

}  // namespace isobench
