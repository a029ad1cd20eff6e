// `ladder`, container side: where a container's startup time goes. Each row starts the
// noop workload with a subset of the isolation primitives, one repetition per start,
// and reports launch -> ready (the workload's first line) as its time:
//   ladder/container/noop/spawn                clone3 + exec, nothing else: the floor
//   ladder/container/noop/alone_<primitive>    the floor plus one primitive
//   ladder/container/noop/cumulative_<n>_<p>   primitives added one at a time, in the
//                                              order a runtime applies them, up to the
//                                              full container (= startup/container/noop)
// The difference between two rows' medians is what a primitive costs here.
#include <sched.h>
#include <unistd.h>

#include "../../runtimes/common/cgroup_mode.hpp"
#include "../../runtimes/container/container_runtime.hpp"
#include "../../runtimes/image/minimal_image.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

namespace fs = std::filesystem;

struct LadderStep {
  std::string name;
  ContainerSpec spec;
};

ContainerSpec bare_spec() {
  ContainerSpec spec;
  spec.rootfs = RootfsMode::kHost;
  spec.loopback = false;
  return spec;
}

// The cgroup2 hierarchy of this host: /sys/fs/cgroup when unified, /sys/fs/cgroup/unified
// on a hybrid host (there it has no controllers, but cgroups and CLONE_INTO_CGROUP work).
std::optional<fs::path> cgroup2_root() {
  switch (detect_cgroup_mode()) {
    case CgroupMode::kUnified: return fs::path("/sys/fs/cgroup");
    case CgroupMode::kHybrid: return fs::path("/sys/fs/cgroup/unified");
    default: return std::nullopt;
  }
}

std::vector<LadderStep> ladder_steps() {
  std::vector<LadderStep> steps;
  steps.push_back({"spawn", bare_spec()});
  const std::pair<const char*, std::uint64_t> kAlone[] = {
      {"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS},       {"ipc", CLONE_NEWIPC},   {"pid", CLONE_NEWPID},
      {"net", CLONE_NEWNET}, {"cgroupns", CLONE_NEWCGROUP}, {"user", CLONE_NEWUSER},
  };
  for (const auto& [name, flag] : kAlone) {
    ContainerSpec spec = bare_spec();
    spec.namespaces = flag;
    steps.push_back({std::string("alone_") + name, spec});
  }
  if (::geteuid() == 0) {
    if (detect_cgroup_mode() == CgroupMode::kHybrid || detect_cgroup_mode() == CgroupMode::kLegacy) {
      ContainerSpec spec = bare_spec();
      spec.cgroup = {CgroupVersion::kV1, "/sys/fs/cgroup", false};
      steps.push_back({"alone_cgroup_v1_attach", spec});
    }
    if (auto root = cgroup2_root()) {
      ContainerSpec spec = bare_spec();
      spec.cgroup = {CgroupVersion::kV2, *root, false};
      steps.push_back({"alone_cgroup_v2_attach", spec});
      spec.cgroup.clone_into = true;
      steps.push_back({"alone_cgroup_v2_clone_into", spec});
    }
  }
  {
    ContainerSpec spec = bare_spec();
    spec.rootfs = RootfsMode::kChroot;
    steps.push_back({"alone_chroot", spec});
    spec.namespaces = CLONE_NEWNS;
    spec.rootfs = RootfsMode::kPivotRoot;
    steps.push_back({"alone_pivot_root", spec});
    spec.namespaces = CLONE_NEWNET;
    spec.rootfs = RootfsMode::kHost;
    spec.loopback = true;
    steps.push_back({"alone_loopback", spec});
  }

  // Cumulative, ending at the container backend's own spec.
  ContainerSpec full = default_container_spec(RootfsMode::kPivotRoot);
  ContainerSpec spec = bare_spec();
  int n = 0;
  auto add = [&](const char* name) { steps.push_back({"cumulative_" + std::to_string(++n) + "_" + name, spec}); };
  for (const auto& [name, flag] : {std::pair{"mnt", CLONE_NEWNS}, {"uts", CLONE_NEWUTS}, {"ipc", CLONE_NEWIPC},
                                   {"pid", CLONE_NEWPID}, {"net", CLONE_NEWNET}, {"cgroupns", CLONE_NEWCGROUP}}) {
    spec.namespaces |= flag;
    add(name);
  }
  if (full.namespaces & CLONE_NEWUSER) {
    spec.namespaces |= CLONE_NEWUSER;
    add("user");
  }
  if (full.cgroup.version != CgroupVersion::kNone) {
    spec.cgroup = full.cgroup;
    add(full.cgroup.clone_into ? "cgroup_clone_into" : "cgroup_attach");
  }
  spec.rootfs = RootfsMode::kPivotRoot;
  add("pivot_root");
  spec.loopback = true;
  add("loopback");
  return steps;
}

}  // namespace

void add_ladder_suite(Plan& plan) {
  if (!plan.wants_suite("ladder") || !plan.wants_backend("container")) return;
  std::vector<LadderStep> steps = ladder_steps();
  const Availability& availability = plan.backends().availability("container");
  if (!availability.available) {
    for (const auto& step : steps) plan.add_unavailable("ladder/container/noop/" + step.name, availability.reason);
    return;
  }
  auto built = ensure_minimal_image(plan.backends().config());
  if (!built) {
    for (const auto& step : steps) plan.add_unavailable("ladder/container/noop/" + step.name, built.error().describe());
    return;
  }
  ContainerImage image{built->rootfs, plan.backends().config().workload_binary, built->workload_path};
  LifecycleTimeouts timeouts = plan.timeouts_for("container");
  LaunchOptions options;
  options.workload = {"noop", {}};
  options.ready_timeout = timeouts.ready;
  int repetitions = plan.repetitions(50, 15);
  for (const auto& step : steps) {
    plan.add({"ladder/container/noop/" + step.name, repetitions,
              [spec = step.spec, image, options, timeouts](benchmark::State& state) {
                for (auto _ : state) {
                  auto launched = launch_container(spec, image, options);
                  if (!launched) return record_failure(state, "launch: " + launched.error().describe());
                  Instance& instance = **launched;
                  auto ready = instance.wait_ready(Deadline::after(timeouts.ready));
                  if (!ready) return record_failure(state, "ready: " + ready.error().describe());
                  auto outcome = instance.wait_exit(Deadline::after(timeouts.exit));
                  if (!outcome) return record_failure(state, "exit: " + outcome.error().describe());
                  if (!outcome->ok()) return record_failure(state, outcome->failure);
                  auto torn_down = instance.teardown();
                  if (!torn_down) return record_failure(state, "teardown: " + torn_down.error().describe());
                  LifecycleRecord record{instance.phases(), *outcome, instance.attributes()};
                  state.SetIterationTime(record.ready_s());
                  record_lifecycle(state, record);
                }
              }});
  }
}

}  // namespace isobench
