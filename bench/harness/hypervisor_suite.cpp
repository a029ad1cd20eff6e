// `hypervisor` (backend kvm): the hypervisor layer's floor, measured with nothing but
// /dev/kvm and a real-mode guest (runtimes/kvm/). One benchmark per primitive,
// hypervisor/kvm/<primitive>, manual time = one operation:
//   vm_create, memory_slot, vcpu_create, first_exit, create_to_first_exit, vm_destroy:
//     one VM life per repetition, each row reporting its own step;
//   exit_port_io, exit_mmio: round trips guest -> KVM -> this process -> guest;
//   exit_cpuid: round trips guest -> KVM -> guest (cpuid is answered in the kernel);
//   compute_loop: a loop that never exits, in the guest and on the host (ratio_to_host).
#include <memory>
#include <optional>

#include "runtimes/kvm/kvm_backend.hpp"
#include "runtimes/kvm/primitives.hpp"
#include "bench/harness/row_attributes.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

using namespace kvm;

constexpr double kNsPerS = 1e9;

// What the suite's benchmarks share: the device, opened on first use, and one VM that
// the exit and compute benchmarks reuse (created outside any measured window).
class HypervisorSession {
 public:
  HypervisorSession(std::filesystem::path device, bool quick) : device_(std::move(device)), quick_(quick) {}

  Result<KvmSystem*> system() {
    if (!system_) {
      auto opened = KvmSystem::open(device_);
      if (!opened) return std::unexpected(opened.error());
      system_.emplace(std::move(*opened));
    }
    return &*system_;
  }

  Result<MicroVm*> vm() {
    if (!vm_) {
      auto system = this->system();
      if (!system) return std::unexpected(system.error());
      BirthTimes ignored;
      auto created = MicroVm::create(**system, ignored);
      if (!created) return std::unexpected(created.error());
      vm_.emplace(std::move(*created));
    }
    return &*vm_;
  }

  std::uint32_t user_exit_count() const { return quick_ ? 200 : 1000; }
  std::chrono::milliseconds cpuid_target() const { return std::chrono::milliseconds(quick_ ? 1 : 5); }
  std::chrono::milliseconds compute_target() const { return std::chrono::milliseconds(quick_ ? 5 : 20); }

  // Loop counts sized once per run for this host's guest speed (outside the windows).
  std::optional<std::uint32_t> cpuid_count;
  std::optional<std::uint32_t> compute_count;

 private:
  std::filesystem::path device_;
  bool quick_;
  std::optional<KvmSystem> system_;
  std::optional<MicroVm> vm_;  // destroyed before system_
};

using Session = std::shared_ptr<HypervisorSession>;

void fail_with(benchmark::State& state, const Error& error) { record_failure(state, error.describe()); }

struct LifecycleStep {
  const char* name;
  std::int64_t (*ns)(const LifecycleSample&);
};

constexpr LifecycleStep kLifecycleSteps[] = {
    {"vm_create", [](const LifecycleSample& s) { return s.birth.vm_create_ns; }},
    {"memory_slot", [](const LifecycleSample& s) { return s.birth.memory_slot_ns; }},
    {"vcpu_create", [](const LifecycleSample& s) { return s.birth.vcpu_create_ns; }},
    {"first_exit", [](const LifecycleSample& s) { return s.birth.first_exit_ns; }},
    {"create_to_first_exit", [](const LifecycleSample& s) { return s.birth.create_to_first_exit_ns(); }},
    {"vm_destroy", [](const LifecycleSample& s) { return s.vm_destroy_ns; }},
};

void record_steps(benchmark::State& state, const LifecycleSample& sample) {
  state.counters["vm_create_s"] = static_cast<double>(sample.birth.vm_create_ns) / kNsPerS;
  state.counters["memory_slot_s"] = static_cast<double>(sample.birth.memory_slot_ns) / kNsPerS;
  state.counters["vcpu_create_s"] = static_cast<double>(sample.birth.vcpu_create_ns) / kNsPerS;
  state.counters["first_exit_s"] = static_cast<double>(sample.birth.first_exit_ns) / kNsPerS;
  state.counters["teardown_s"] = static_cast<double>(sample.vm_destroy_ns) / kNsPerS;
}

auto lifecycle_body(Session session, LifecycleStep step) {
  return [session, step](benchmark::State& state) {
    for (auto _ : state) {
      auto system = session->system();
      if (!system) return fail_with(state, system.error());
      auto sample = measure_lifecycle(**system);
      if (!sample) return fail_with(state, sample.error());
      std::int64_t ns = step.ns(*sample);
      state.SetIterationTime(static_cast<double>(ns) / kNsPerS);
      state.counters["ns_per_op"] = static_cast<double>(ns);
      if (std::string_view(step.name) == "create_to_first_exit") record_steps(state, *sample);
    }
  };
}

void record_round_trips(benchmark::State& state, const RoundTrips& trips) {
  state.SetIterationTime(trips.ns_per_exit() / kNsPerS);
  state.counters["ns_per_op"] = trips.ns_per_exit();
  state.counters["exits"] = trips.count;
}

auto user_exit_body(Session session, UserExit kind) {
  return [session, kind](benchmark::State& state) {
    for (auto _ : state) {
      auto system = session->system();
      if (!system) return fail_with(state, system.error());
      auto vm = session->vm();
      if (!vm) return fail_with(state, vm.error());
      auto trips = measure_user_exits(**system, **vm, kind, session->user_exit_count());
      if (!trips) return fail_with(state, trips.error());
      record_round_trips(state, *trips);
    }
  };
}

auto cpuid_body(Session session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto system = session->system();
      if (!system) return fail_with(state, system.error());
      auto vm = session->vm();
      if (!vm) return fail_with(state, vm.error());
      if (!session->cpuid_count) {
        auto count = calibrate_count(
            [&](std::uint32_t n) -> Result<std::int64_t> {
              auto trips = measure_kernel_exits(**system, **vm, n);
              if (!trips) return std::unexpected(trips.error());
              return trips->total_ns;
            },
            session->cpuid_target(), 1000);
        if (!count) return fail_with(state, count.error());
        session->cpuid_count = *count;
      }
      auto trips = measure_kernel_exits(**system, **vm, *session->cpuid_count);
      if (!trips) return fail_with(state, trips.error());
      record_round_trips(state, *trips);
    }
  };
}

auto compute_body(Session session) {
  return [session](benchmark::State& state) {
    for (auto _ : state) {
      auto system = session->system();
      if (!system) return fail_with(state, system.error());
      auto vm = session->vm();
      if (!vm) return fail_with(state, vm.error());
      if (!session->compute_count) {
        auto count = calibrate_count(
            [&](std::uint32_t n) -> Result<std::int64_t> {
              auto sample = measure_compute(**system, **vm, n, 1);
              if (!sample) return std::unexpected(sample.error());
              return sample->guest_ns;
            },
            session->compute_target(), 100'000);
        if (!count) return fail_with(state, count.error());
        session->compute_count = *count;
      }
      auto sample = measure_compute(**system, **vm, *session->compute_count, 12345);
      if (!sample) return fail_with(state, sample.error());
      double iterations = sample->iterations;
      state.SetIterationTime(static_cast<double>(sample->guest_ns) / kNsPerS);
      state.counters["guest_ns_per_op"] = static_cast<double>(sample->guest_ns) / iterations;
      state.counters["host_ns_per_op"] = static_cast<double>(sample->host_ns) / iterations;
      state.counters["ratio_to_host"] = sample->guest_to_host();
      state.counters["iterations"] = iterations;
    }
  };
}

// Every row carries the hypervisor that produced it (PVM, kvm_intel, kvm_amd) and the
// guest's mode; whether that made it emulated is decided once the compute loop is in
// (bench/results/emulation.hpp).
auto labelled(nlohmann::json attributes, std::function<void(benchmark::State&)> body) {
  return [attributes = std::move(attributes), body = std::move(body)](benchmark::State& state) {
    body(state);
    set_row_attributes(state, attributes);
  };
}

}  // namespace

void add_hypervisor_suite(Plan& plan) {
  if (!plan.wants_suite("hypervisor") || !plan.wants_backend("kvm")) return;
  auto* backend = dynamic_cast<KvmBackend*>(plan.backends().find("kvm"));
  if (backend == nullptr) return;
  const std::string prefix = "hypervisor/kvm/";
  std::vector<std::string> names;
  for (const LifecycleStep& step : kLifecycleSteps) names.push_back(prefix + step.name);
  for (const char* name : {"exit_port_io", "exit_mmio", "exit_cpuid", "compute_loop"}) names.push_back(prefix + name);

  const Availability& availability = plan.backends().availability("kvm");
  if (!availability.available) {
    for (const auto& name : names) plan.add_unavailable(name, availability.reason);
    return;
  }
  int repetitions = plan.repetitions(50, 10);
  auto session = std::make_shared<HypervisorSession>(backend->device(), plan.quick());
  const HypervisorFacts& facts = backend->facts();
  // The guest (runtimes/kvm/guest_code) starts and stays in real mode.
  nlohmann::json label = {{"hypervisor", facts.module}, {"cpu_flag", facts.cpu_flag},
                          {"nested", facts.host_is_guest}, {"guest_mode", "real"}};
  for (const LifecycleStep& step : kLifecycleSteps)
    plan.add({prefix + step.name, repetitions, labelled(label, lifecycle_body(session, step))});
  plan.add({prefix + "exit_port_io", repetitions, labelled(label, user_exit_body(session, UserExit::kPortIo))});
  plan.add({prefix + "exit_mmio", repetitions, labelled(label, user_exit_body(session, UserExit::kMmio))});
  plan.add({prefix + "exit_cpuid", repetitions, labelled(label, cpuid_body(session))});
  plan.add({prefix + "compute_loop", repetitions, labelled(label, compute_body(session))});
}

}  // namespace isobench
