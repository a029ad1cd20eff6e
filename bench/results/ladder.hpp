// The ladder (SPEC.md: where startup cost comes from): each step names the step it
// adds to, its baseline, and its cost is the difference to that baseline.
//   container: spawn (the floor); alone_<p>: spawn, except alone_pivot_root (alone_mnt:
//              pivot_root needs a mount namespace) and alone_loopback (alone_net);
//              cumulative_<n>_<p>: cumulative_<n-1>_*, and cumulative_1_*: spawn.
//   vm, qemu:  vmm_up (the floor, from launch); workload_ready: vmm_up.
//   kvm:       vm_create (the floor); vcpu: vm_create; first_instruction: vcpu;
//              kernel_result: first_instruction.
// How a cost is computed, by what the rows carry:
//   paired    the rows' step_s: the step minus its baseline measured in the same round
//             (the container ladder runs every step once per round; a guest's steps
//             are phases of one life), so the noise that two rounds do not share
//             cancels; cost = median of those differences, 95% interval from order
//             statistics.
//   unpaired  (files written before step_s was paired) median(step) - median(baseline)
//             with a percentile-bootstrap interval.
//   floor     a step with no baseline: its own time from launch.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/results/model.hpp"
#include "bench/results/traits.hpp"

namespace isobench::results {

// The declared baseline of a ladder step ("" for a floor) among the backend's steps
// `siblings` (cumulative steps are named by their place and primitive).
std::string ladder_baseline(std::string_view step, const std::vector<std::string>& siblings);

struct Estimate {
  double point = 0, low = 0, high = 0, level = 0;
};

struct LadderStep {
  std::string backend, family, step, name, baseline, method;
  Estimate cost_s;
  Estimate total_s;           // its own time from launch (ready_s)
  std::optional<double> share;  // cost over the backend's top step's total
  std::size_t repetitions = 0;
  std::string verdict;  // "adds time", "saves time", "inconclusive: ~N repetitions would decide"
  bool top = false;     // the backend's full stack (the deepest step)
  bool on_top_chain = false;  // a step of the chain of baselines from the floor to the top
};

std::vector<LadderStep> ladder_steps(const ResultsFile& file, const TraitsLookup& fallback);

nlohmann::json to_json(const LadderStep& step);

}  // namespace isobench::results
