// `density/BACKEND/idle/N`: N idle instances at once. Figures per instance: the drop of
// the host's MemAvailable (the gVisor method: it sees what PSS misses, page cache and
// kernel allocations outside any cgroup), PSS, and the marginal cost (USS + kernel
// memory: what the host gets back when one instance goes). The row's time is the
// bring-up: first launch -> last ready. Launching stops at a safe memory margin and the
// row records how many fitted.
#include <thread>

#include "bench/harness/row_attributes.hpp"
#include "density.hpp"
#include "footprint.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

// An emulated guest gets --quick's counts in a full run, and one instance in --quick: 4
// and 8 TCG guests booting on two cores took half a minute per guest backend in a quiet
// --all, for figures no claim reads.
std::vector<int> instance_counts(const Backend& backend, bool quick, bool emulated) {
  if (backend.traits().boots_guest_os) {
    if (emulated) return quick ? std::vector<int>{1} : std::vector<int>{1, 2};
    return quick ? std::vector<int>{1, 2} : std::vector<int>{1, 2, 4, 8};
  }
  return quick ? std::vector<int>{1, 4} : std::vector<int>{1, 2, 4, 8, 16, 32};
}

void run_density(benchmark::State& state, Backend& backend, int requested, const LifecycleTimeouts& timeouts) {
  LaunchOptions options = idle_launch_options(timeouts);
  MeasureContext context = MeasureContext::for_backend(backend, options);
  auto before = read_meminfo();
  if (!before) return record_failure(state, before.error().describe());
  const std::uint64_t reserve = density_reserve(*before);

  std::vector<std::unique_ptr<Instance>> instances;  // torn down by their destructors on every path
  std::int64_t start = monotonic_ns();
  bool stopped_at_margin = false;
  for (int i = 0; i < requested; ++i) {
    auto now = read_meminfo();
    if (!now) return record_failure(state, now.error().describe());
    std::uint64_t drop = before->available > now->available ? before->available - now->available : 0;
    if (!one_more_fits(*now, density_estimate(backend.traits().boots_guest_os, context.guest_memory_bytes, drop, instances.size()), reserve)) {
      stopped_at_margin = true;
      break;
    }
    auto instance = backend.launch(options);
    if (!instance) return record_failure(state, "instance " + std::to_string(i + 1) + ": " + instance.error().describe());
    instances.push_back(std::move(*instance));
  }
  if (instances.empty()) return record_failure(state, "not even one instance fits above the memory reserve");
  // Guests boot concurrently on few cores: the group gets more time than one boot.
  auto deadline = Deadline::after(timeouts.ready * (1 + instances.size() / 4));
  for (std::size_t i = 0; i < instances.size(); ++i) {
    auto ready = instances[i]->wait_ready(deadline);
    if (!ready) return record_failure(state, "instance " + std::to_string(i + 1) + ": ready: " + ready.error().describe());
  }
  std::int64_t ready_at = monotonic_ns();
  std::this_thread::sleep_for(settle_time(backend));

  auto after = read_meminfo();
  if (!after) return record_failure(state, after.error().describe());
  InstanceMemory total;
  for (const auto& instance : instances) {
    auto memory = measure_instance(*instance, context);
    if (!memory) return record_failure(state, memory.error().describe());
    total.pss += memory->pss;
    total.uss += memory->uss;
    total.rss += memory->rss;
    total.kernel += memory->kernel;
  }
  for (auto it = instances.rbegin(); it != instances.rend(); ++it) {
    if (auto torn_down = (*it)->teardown(); !torn_down)
      return record_failure(state, "teardown: " + torn_down.error().describe());
  }

  const double fitted = static_cast<double>(instances.size());
  const double drop = static_cast<double>(before->available) - static_cast<double>(after->available);
  state.SetIterationTime(static_cast<double>(ready_at - start) / 1e9);
  state.counters["requested"] = requested;
  state.counters["fitted"] = fitted;
  state.counters["bringup_s"] = static_cast<double>(ready_at - start) / 1e9;
  state.counters["mem_available_drop_per_instance_bytes"] = drop / fitted;
  state.counters["pss_per_instance_bytes"] = static_cast<double>(total.pss) / fitted;
  state.counters["rss_per_instance_bytes"] = static_cast<double>(total.rss) / fitted;
  state.counters["kernel_per_instance_bytes"] = static_cast<double>(total.kernel) / fitted;
  state.counters["marginal_per_instance_bytes"] = static_cast<double>(total.uss + total.kernel) / fitted;
  if (stopped_at_margin)
    set_row_attributes(state, {{"stopped_at_memory_reserve", true},
                               {"fitted", instances.size()},
                               {"requested", requested}});
}

}  // namespace

void add_density_suite(Plan& plan) {
  if (!plan.wants_suite("density")) return;
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    if (!backend->runs_workloads()) continue;
    const Availability& availability = plan.backends().availability(name);
    // One repetition in --all too. Each already averages over its N instances, no claim
    // reads density (C4 reads footprint), and a second or third adds nothing: in a quiet
    // `bench --all` with three (2026-12-07) the PSS per instance of every row spread at
    // most 5.6% across them (container/idle/2 0.53-0.55 MiB; docker/idle/32 2.73-2.78),
    // while they cost 3 min 20 s of its 21 min 35 s. For guests, 1+2+4+8 boots under TCG take minutes.
    int repetitions = plan.repetitions(1, 1);
    LifecycleTimeouts timeouts = plan.timeouts_for(name);
    for (int n : instance_counts(*backend, plan.quick(), plan.emulated_guest(name))) {
      std::string bench_name = "density/" + name + "/idle/" + std::to_string(n);
      if (!availability.available) {
        plan.add_unavailable(bench_name, availability.reason);
        continue;
      }
      BenchmarkSpec spec{bench_name, repetitions, [backend, n, timeouts](benchmark::State& state) {
                           for (auto _ : state) run_density(state, *backend, n, timeouts);
                         }};
      // N instances come up one after another on few cores, then settle.
      spec.estimate_s = n * plan.guess_repetition_s(bench_name) + static_cast<double>(settle_time(*backend).count()) / 1e3;
      plan.add(std::move(spec));
    }
  }
}

}  // namespace isobench
