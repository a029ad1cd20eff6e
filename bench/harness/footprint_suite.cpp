// `footprint/BACKEND/idle`: one `idle` instance, ready and left alone to settle, then
// the host memory it costs, read from /proc while nothing else of the harness runs:
// counters pss_bytes, uss_bytes, rss_bytes, kernel_bytes (and for guests the guest RAM
// it touched apart from QEMU's own overhead). The row's time is launch -> ready.
#include <thread>

#include "bench/harness/row_attributes.hpp"
#include "footprint.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

void record_memory(benchmark::State& state, const InstanceMemory& memory) {
  state.counters["pss_bytes"] = static_cast<double>(memory.pss);
  state.counters["uss_bytes"] = static_cast<double>(memory.uss);
  state.counters["rss_bytes"] = static_cast<double>(memory.rss);
  state.counters["kernel_bytes"] = static_cast<double>(memory.kernel);
  state.counters["processes"] = static_cast<double>(memory.processes);
  if (memory.guest_ram_rss) {
    state.counters["guest_ram_touched_bytes"] = static_cast<double>(*memory.guest_ram_rss);
    state.counters["vmm_overhead_bytes"] = static_cast<double>(memory.vmm_overhead_rss);
  }
}

void run_footprint(benchmark::State& state, Backend& backend, const LifecycleTimeouts& timeouts) {
  LaunchOptions options = idle_launch_options(timeouts);
  MeasureContext context = MeasureContext::for_backend(backend, options);
  std::int64_t start = monotonic_ns();
  auto instance = backend.launch(options);
  if (!instance) return record_failure(state, instance.error().describe());
  auto ready = (*instance)->wait_ready(Deadline::after(timeouts.ready));
  std::int64_t ready_at = monotonic_ns();
  if (!ready) {
    (void)(*instance)->teardown();
    return record_failure(state, "ready: " + ready.error().describe());
  }
  std::this_thread::sleep_for(settle_time(backend));
  auto memory = measure_instance(**instance, context);
  auto attributes = (*instance)->attributes();
  auto torn_down = (*instance)->teardown();
  if (!memory) return record_failure(state, memory.error().describe());
  if (!torn_down) return record_failure(state, "teardown: " + torn_down.error().describe());
  state.SetIterationTime(static_cast<double>(ready_at - start) / 1e9);
  record_memory(state, *memory);
  attributes["kernel_memory"] = memory->kernel_source;
  attributes["processes"] = join(memory->process_names);
  set_row_attributes(state, attributes_object(attributes));
}

}  // namespace

void add_footprint_suite(Plan& plan) {
  if (!plan.wants_suite("footprint")) return;
  for (const auto& name : plan.backends().names()) {
    if (!plan.wants_backend(name)) continue;
    Backend* backend = plan.backends().find(name);
    if (!backend->runs_workloads()) continue;
    std::string bench_name = "footprint/" + name + "/idle";
    const Availability& availability = plan.backends().availability(name);
    if (!availability.available) {
      plan.add_unavailable(bench_name, availability.reason);
      continue;
    }
    int repetitions = backend->traits().boots_guest_os ? plan.repetitions(3, 1) : plan.repetitions(5, 2);
    LifecycleTimeouts timeouts = plan.timeouts_for(name);
    plan.add({bench_name, repetitions, [backend, timeouts](benchmark::State& state) {
                for (auto _ : state) run_footprint(state, *backend, timeouts);
              }});
  }
}

}  // namespace isobench
