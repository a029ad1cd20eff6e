// `ladder`, container side: where a container's startup time goes. Each row starts the
// noop workload with a subset of the isolation primitives, one repetition per start,
// and reports launch -> ready (the workload's first line) as its time:
//   ladder/container/noop/spawn                clone3 + exec, nothing else: the floor
//   ladder/container/noop/alone_<primitive>    the floor plus one primitive
//   ladder/container/noop/cumulative_<n>_<p>   primitives added one at a time, in the
//                                              order a runtime applies them, up to the
//                                              full container (= startup/container/noop)
// Every step names its baseline (bench/results/ladder.hpp) and records step_s, its
// ready time minus its baseline's in the same round: that is what the primitive costs.
#include <sched.h>
#include <unistd.h>

#include "bench/harness/row_attributes.hpp"
#include "bench/results/ladder.hpp"
#include "bench/stats/random.hpp"
#include "runtimes/common/cgroup_mode.hpp"
#include "runtimes/container/container_runtime.hpp"
#include "runtimes/image/minimal_image.hpp"
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

// One round launches every step once, in an order shuffled per round: the first row
// that needs round r runs it, and every row reads its own record of round r and its
// baseline's. So a step's step_s is the difference to its baseline measured in the same
// round (a drifting host shifts both), and repetition k of every row is round k.
class LadderRounds {
 public:
  LadderRounds(std::vector<LadderStep> steps, ContainerImage image, LaunchOptions options, LifecycleTimeouts timeouts)
      : steps_(std::move(steps)), image_(std::move(image)), options_(std::move(options)), timeouts_(timeouts),
        next_round_(steps_.size(), 0) {}

  struct Reading {
    const Result<LifecycleRecord>* own;
    const Result<LifecycleRecord>* baseline;  // null for the floor
  };

  Reading next(std::size_t step, std::optional<std::size_t> baseline) {
    std::size_t round = next_round_[step]++;
    while (rounds_.size() <= round) run_round();
    return {&rounds_[round][step], baseline ? &rounds_[round][*baseline] : nullptr};
  }

 private:
  void run_round() {
    std::vector<std::size_t> order(steps_.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // Fisher-Yates with a fixed-seed generator: the same order on every run.
    for (std::size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[random_.below(i)]);
    std::vector<Result<LifecycleRecord>> round(steps_.size(), std::unexpected(Error::plain("not run")));
    for (std::size_t index : order) round[index] = run_step(steps_[index]);
    rounds_.push_back(std::move(round));
  }

  Result<LifecycleRecord> run_step(const LadderStep& step) {
    auto launched = launch_container(step.spec, image_, options_);
    if (!launched) return std::unexpected(launched.error().with_context("launch"));
    Instance& instance = **launched;
    auto ready = instance.wait_ready(Deadline::after(timeouts_.ready));
    if (!ready) return std::unexpected(ready.error().with_context("ready"));
    auto outcome = instance.wait_exit(Deadline::after(timeouts_.exit));
    if (!outcome) return std::unexpected(outcome.error().with_context("exit"));
    if (!outcome->ok()) return fail(outcome->failure);
    auto torn_down = instance.teardown();
    if (!torn_down) return std::unexpected(torn_down.error().with_context("teardown"));
    return LifecycleRecord{instance.phases(), *outcome, instance.attributes()};
  }

  std::vector<LadderStep> steps_;
  ContainerImage image_;
  LaunchOptions options_;
  LifecycleTimeouts timeouts_;
  std::vector<std::size_t> next_round_;
  std::vector<std::vector<Result<LifecycleRecord>>> rounds_;
  stats::SplitMix64 random_{stats::kDefaultSeed};
};

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
  // A round launches the steps --filter selects and the baselines they are paired with,
  // nothing else. The baseline rule is bench/results/ladder.hpp's.
  std::vector<std::string> all_names;
  for (const auto& step : steps) all_names.push_back(step.name);
  auto name_of = [](const LadderStep& step) { return "ladder/container/noop/" + step.name; };
  std::vector<LadderStep> needed;
  for (const auto& step : steps) {
    bool wanted = plan.passes_filter(name_of(step));
    for (const auto& other : steps)
      wanted = wanted || (plan.passes_filter(name_of(other)) &&
                          results::ladder_baseline(other.name, all_names) == step.name);
    if (wanted) needed.push_back(step);
  }
  std::vector<std::string> names;
  for (const auto& step : needed) names.push_back(step.name);
  auto rounds = std::make_shared<LadderRounds>(needed, image, options, timeouts);
  for (std::size_t index = 0; index < needed.size(); ++index) {
    if (!plan.passes_filter(name_of(needed[index]))) continue;  // runs only as a baseline
    std::string baseline = results::ladder_baseline(needed[index].name, all_names);
    std::optional<std::size_t> baseline_index;
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j] == baseline) baseline_index = j;
    if (!baseline.empty() && !baseline_index) baseline.clear();  // e.g. alone_net not on this host
    plan.add({name_of(needed[index]), repetitions,
              [rounds, index, baseline, baseline_index](benchmark::State& state) {
                for (auto _ : state) {
                  auto [own, base] = rounds->next(index, baseline_index);
                  if (!*own) return record_failure(state, own->error().describe());
                  const LifecycleRecord& record = **own;
                  state.SetIterationTime(record.ready_s());
                  nlohmann::json extra = nlohmann::json::object();
                  if (base != nullptr) {
                    if (!*base)
                      return record_failure(state, "baseline " + baseline + " failed in this round: " +
                                                       base->error().describe());
                    state.counters["step_s"] = record.ready_s() - (**base).ready_s();
                    extra["baseline"] = baseline;
                  }
                  record_lifecycle(state, record, extra);
                }
              }});
  }
}

}  // namespace isobench
