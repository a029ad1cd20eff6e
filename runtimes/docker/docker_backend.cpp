#include "docker_backend.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <optional>

#include "runtimes/common/probe_run.hpp"
#include "runtimes/engine/engine_cli.hpp"
#include "runtimes/image/minimal_image.hpp"
#include "runtimes/oci/oci_runtime.hpp"
#include "private_dockerd.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

// Debian's client is the one that matches Debian's daemon (20.10, API 1.41); a newer
// client in /usr/local/bin talks to it too, at the daemon's API version.
std::optional<fs::path> find_docker_client() {
  if (::access("/usr/bin/docker", X_OK) == 0) return fs::path("/usr/bin/docker");
  return find_runtime_binary("docker");
}

// "Pss: N kB" of /proc/PID/smaps_rollup. (runtimes/common/proc_memory is the harness's,
// linked after the backends.)
std::optional<std::uint64_t> pss_bytes(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  for (std::string key; in >> key;) {
    std::uint64_t kib = 0;
    if (key == "Pss:" && in >> kib) return kib * 1024;
  }
  return std::nullopt;
}

class DockerBackend final : public Backend {
 public:
  explicit DockerBackend(const BackendConfig& config) : config_(config) {
    user_host_ = config.docker_host;
    if (user_host_.empty())
      if (const char* env = std::getenv("DOCKER_HOST"); env && *env) user_host_ = env;
  }
  ~DockerBackend() override { (void)shut_down(); }

  std::string name() const override { return "docker"; }
  std::string summary() const override {
    return std::string("the shared image through Docker (dockerd, containerd, runc); ") +
           (user_host_.empty() ? "a private dockerd for the run" : "the daemon at " + user_host_);
  }
  // A container of the OCI family: the same namespaces and cgroup, run by runc, with the
  // engine's client, daemon and shim in front of it.
  BackendTraits traits() const override {
    return {.family = BackendFamily::kOci, .enforces_limits = true, .writable_dir = "/tmp", .container_engine = true};
  }

  Availability probe() override {
    if (!probed_) probed_ = check();
    return *probed_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!cli_) {
      if (auto available = probe(); !available.available) return fail("docker: " + available.reason);
    }
    static std::atomic<unsigned> sequence{0};
    EngineContainerSpec spec;
    spec.name = "isobench-docker-" + std::to_string(::getpid()) + "-" + std::to_string(++sequence);
    spec.image = image_name_;
    spec.command = options.workload.argv("");
    spec.command.erase(spec.command.begin());  // the image's entrypoint is the binary
    spec.limits = options.limits;
    spec.network = options.network;
    auto instance = launch_engine_container(*cli_, spec, row_attributes(options.network));
    if (!instance) return std::unexpected(instance.error().with_context("docker"));
    return instance;
  }

  Result<std::optional<double>> build_image_from(const fs::path& rootfs) override {
    if (!cli_) return fail("docker: not available" );
    static std::atomic<unsigned> sequence{0};
    std::string name = "isobench-docker-" + std::to_string(::getpid()) + "-build-" + std::to_string(++sequence);
    auto seconds = engine_build_and_remove_image(*cli_, rootfs, "/isobench-workload", name, daemon_ ? daemon_->dir() : fs::temp_directory_path());
    if (!seconds) return std::unexpected(seconds.error());
    return std::optional<double>(*seconds);
  }

  std::vector<DoctorCheck> doctor() override {
    Availability available = probe();
    std::vector<DoctorCheck> checks;
    checks.push_back({"version", available.available,
                      available.available ? version_line() : available.reason,
                      user_host_.empty() ? "apt-get install docker.io (bench starts its own dockerd, as root)"
                                         : "check that the daemon at " + user_host_ + " answers (docker -H URI version)"});
    if (available.available && daemon_)
      checks.push_back({"private dockerd", true,
                        "started in " + std::to_string(daemon_->start_s()) + " s under " + daemon_->dir().string() +
                            " (no iptables, no bridge; cgroup parent " + daemon_->cgroup_parent() + ")",
                        ""});
    if (available.available && !daemon_)
      checks.push_back({"your dockerd", true,
                        "the daemon at " + user_host_ + " answers (" + facts_.at("server_version") +
                            "); bench adds and removes only its own image and containers there, and never stops or "
                            "reconfigures it",
                        ""});
    return checks;
  }

  std::map<std::string, std::string> manifest() override {
    std::map<std::string, std::string> out = facts_;
    out["daemon"] = user_host_.empty() ? "private" : "user";
    // The daemons' own memory, apart from any container's (footprint and density count
    // a container's init and shim only): one reading, at the end of the run.
    if (daemon_) {
      if (auto pss = pss_bytes(daemon_->pid())) out["dockerd_pss_bytes"] = std::to_string(*pss);
      if (pid_t containerd = daemon_->containerd_pid(); containerd > 0)
        if (auto pss = pss_bytes(containerd)) out["containerd_pss_bytes"] = std::to_string(*pss);
    }
    out["network"] = "none (loopback only; the net suite's host path: --network host); the host's firewall and "
                     "routes are untouched (--iptables=false --ip-masq=false --ip-forward=false --bridge=none)";
    return out;
  }

  Result<void> shut_down() override {
    Result<void> first;
    if (user_cli_) {
      // The user's daemon runs on as it was: only what this run named for itself goes.
      first = remove_own_from_user_daemon(*user_cli_);
      user_cli_.reset();
      image_name_.clear();
    }
    if (daemon_)
      if (auto stopped = daemon_->stop(); !stopped && first) first = stopped;
    return first;
  }

 private:
  // In the user's daemon, the containers and images named for this run
  // (isobench-docker-PID-*): the run's image, which goes at every shut-down, and any
  // container or build image a failed step left, which is removed and reported (the leak
  // audit cannot see inside someone else's daemon). Everything else there is left alone.
  Result<void> remove_own_from_user_daemon(const EngineCli& cli) {
    const std::string prefix = "isobench-docker-" + std::to_string(::getpid()) + "-";
    const Deadline deadline = Deadline::after(std::chrono::seconds(60));
    Result<void> first;
    std::vector<std::string> left;
    auto own = [&](const std::vector<std::string>& list_args) {
      std::vector<std::string> names;
      auto listed = cli.run(list_args, deadline);
      if (!listed) {
        if (first) first = std::unexpected(listed.error().with_context("docker " + list_args.front() + " in " + user_host_));
        return names;
      }
      std::istringstream lines(*listed);
      for (std::string name; std::getline(lines, name);)
        if (name.starts_with(prefix)) names.push_back(name);
      return names;
    };
    for (const auto& name : own({"ps", "--all", "--format", "{{.Names}}"})) {
      left.push_back("container " + name);
      if (auto removed = cli.run({"rm", "--force", name}, deadline); !removed && first)
        first = std::unexpected(removed.error().with_context("docker rm " + name));
    }
    for (const auto& name : own({"images", "--format", "{{.Repository}}"})) {
      if (name != image_name_) left.push_back("image " + name);
      if (auto removed = cli.run({"image", "rm", "--force", name}, deadline); !removed && first)
        first = std::unexpected(removed.error().with_context("docker image rm " + name));
    }
    if (!left.empty() && first) {
      std::string what;
      for (const auto& item : left) what += (what.empty() ? "" : ", ") + item;
      first = fail("left in the daemon at " + user_host_ + " by this run, removed: " + what);
    }
    return first;
  }

  std::string version_line() const {
    auto it = facts_.find("version");
    return it == facts_.end() ? "docker" : it->second;
  }

  std::map<std::string, std::string> row_attributes(const NetworkAttachment& network) const {
    std::map<std::string, std::string> out = {{"engine", facts_.at("server_version")},
                                              {"daemon", user_host_.empty() ? "private" : "user"},
                                              {"runtime", facts_.count("runtime") ? facts_.at("runtime") : "runc"}};
    out["network"] = network.kind == NetworkAttachment::Kind::kHost ? "host" : "none";
    return out;
  }

  Availability check() {
    auto client = find_docker_client();
    if (!client) return Availability::no("the docker client is not installed (apt-get install docker.io)");
    EngineCli cli{*client, {}, {}, {}};
    if (user_host_.empty()) {
      auto dockerd = find_runtime_binary("dockerd");
      if (!dockerd) return Availability::no("dockerd is not installed (apt-get install docker.io)");
      if (::geteuid() != 0)
        return Availability::no("needs root to start a private dockerd (or give your own daemon with --docker-host)");
      auto daemon = PrivateDockerd::start(*dockerd, config_.state_dir, Deadline::after(std::chrono::seconds(90)));
      if (!daemon) return Availability::no("the private dockerd did not start: " + daemon.error().describe());
      daemon_.emplace(std::move(*daemon));
      facts_["daemon_start_s"] = std::to_string(daemon_->start_s());
      facts_["daemon_dir"] = daemon_->dir().string();
      facts_["cgroup_parent"] = daemon_->cgroup_parent();
      facts_["dockerd"] = dockerd->string();
      cli.global_flags = {"--host", daemon_->host_uri()};
    } else {
      cli.global_flags = {"--host", user_host_};
    }
    facts_["client"] = client->string();
    auto versions = cli.run({"version", "--format", "{{.Client.Version}} {{.Server.Version}} {{.Server.APIVersion}}"},
                            Deadline::after(std::chrono::seconds(30)));
    if (!versions) return Availability::no("docker version: " + versions.error().describe());
    if (!user_host_.empty()) user_cli_ = cli;  // it answers: from here on, what bench puts there goes at shut-down
    std::istringstream words(*versions);
    std::string client_version, server_version, api;
    words >> client_version >> server_version >> api;
    facts_["client_version"] = client_version;
    facts_["server_version"] = "docker-" + server_version;
    facts_["api_version"] = api;
    facts_["version"] = "docker " + server_version + " (client " + client_version + ", API " + api + ")";
    if (auto runtime = cli.run({"info", "--format", "{{.DefaultRuntime}}"}, Deadline::after(std::chrono::seconds(30))))
      facts_["runtime"] = *runtime;

    auto image = ensure_minimal_image(config_);
    if (!image) return Availability::no(image.error().describe());
    std::string name = "isobench-docker-" + std::to_string(::getpid()) + "-minimal";
    fs::path scratch = daemon_ ? daemon_->dir() : fs::temp_directory_path();
    auto imported = engine_import_image(cli, image->rootfs, image->workload_path, name, scratch);
    if (!imported) return Availability::no(imported.error().describe());
    image_name_ = name;
    facts_["image"] = name;
    facts_["image_build_s"] = std::to_string(*imported);
    cli_ = cli;
    // One real container outside any timing: the answer to "can it run here".
    Availability ran = probe_by_running_noop([this](const LaunchOptions& options) { return launch(options); },
                                             std::chrono::seconds(60));
    if (!ran.available) cli_.reset();
    return ran;
  }

  BackendConfig config_;
  std::string user_host_;
  std::optional<PrivateDockerd> daemon_;
  std::optional<EngineCli> cli_;
  std::optional<EngineCli> user_cli_;  // the user's daemon, even when the probe failed
  std::string image_name_;
  std::map<std::string, std::string> facts_;
  std::optional<Availability> probed_;
};

}  // namespace

std::unique_ptr<Backend> make_docker_backend(const BackendConfig& config) {
  return std::make_unique<DockerBackend>(config);
}

}  // namespace isobench
