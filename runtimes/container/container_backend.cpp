#include "container_backend.hpp"

#include <sched.h>
#include <unistd.h>

#include "runtimes/common/cgroup_mode.hpp"
#include "runtimes/common/probe_run.hpp"
#include "runtimes/image/minimal_image.hpp"
#include "container_runtime.hpp"
#include "namespaces.hpp"

namespace isobench {
namespace {

class ContainerBackend final : public Backend {
 public:
  explicit ContainerBackend(const BackendConfig& config) : config_(config) {}

  std::string name() const override { return "container"; }
  std::string summary() const override {
    return "isobench's own runtime: clone3 into new namespaces and a cgroup, pivot_root into the image";
  }
  // The image is mounted read-only with a tmpfs on /tmp, its only writable layer. Without
  // root the container runs in a user namespace and gets no cgroup.
  BackendTraits traits() const override {
    return {.family = BackendFamily::kContainer,
            .enforces_limits = true,
            .limits_need_root = true,
            .reports_oom_kill = true,
            .writable_dir = "/tmp"};
  }

  Availability probe() override {
    if (probed_) return *probed_;
    probed_ = check();
    return *probed_;
  }

  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override {
    if (!image_) {
      if (auto available = probe(); !available.available) return fail("container: " + available.reason);
    }
    return launch_container(spec_, *image_, options);
  }

  std::vector<DoctorCheck> doctor() override {
    std::vector<DoctorCheck> checks;
    bool root = ::geteuid() == 0;
    checks.push_back({"container: privileges", true,
                      root ? "root: namespaces and cgroups directly"
                           : "not root: a user namespace, and no cgroup (limits unavailable)",
                      ""});
    CgroupPlacement placement = host_cgroup_placement();
    checks.push_back({"container: cgroups", placement.version != CgroupVersion::kNone,
                      "host cgroup mode " + to_string(detect_cgroup_mode()) + ", container uses " +
                          to_string(placement.version),
                      "mount cgroup2 on /sys/fs/cgroup (or the v1 memory, pids and cpu controllers)"});
    Availability available = probe();
    checks.push_back({"container: image", available.available, available.available ? image_->rootfs.string() : available.reason,
                      "build isobench (the workload binary) and check the state dir is writable"});
    return checks;
  }

  std::map<std::string, std::string> manifest() override {
    std::map<std::string, std::string> out = {
        {"namespaces", describe_namespaces(spec_.namespaces)},
        {"cgroup", to_string(spec_.cgroup.version) +
                       (spec_.cgroup.version == CgroupVersion::kNone ? ""
                        : spec_.cgroup.clone_into                     ? " (CLONE_INTO_CGROUP)"
                                                                      : " (create + attach)")},
        {"rootfs", to_string(spec_.rootfs)},
    };
#ifdef ISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT
    out["planted_slowdown_pct"] = std::to_string(ISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT);
#endif
    if (image_facts_) {
      out["image"] = image_facts_->rootfs.string();
      if (image_facts_->built_now) out["image_build_s"] = std::to_string(image_facts_->build_s);
    }
    return out;
  }

 private:
  Availability check() {
    auto image = ensure_minimal_image(config_);
    if (!image) return Availability::no(image.error().describe());
    image_ = ContainerImage{image->rootfs, config_.workload_binary, image->workload_path};
    image_facts_ = *image;
    // A real container, run once outside any timing: the answer to "can it run here".
    return probe_by_running_noop(
        [this](const LaunchOptions& options) { return launch_container(spec_, *image_, options); },
        std::chrono::seconds(10));
  }

  BackendConfig config_;
  ContainerSpec spec_ = default_container_spec(config_.rootfs_mode == "chroot" ? RootfsMode::kChroot
                                                                              : RootfsMode::kPivotRoot);
  std::optional<Availability> probed_;
  std::optional<ContainerImage> image_;
  std::optional<MinimalImage> image_facts_;
};

}  // namespace

std::unique_ptr<Backend> make_container_backend(const BackendConfig& config) {
  return std::make_unique<ContainerBackend>(config);
}

}  // namespace isobench
