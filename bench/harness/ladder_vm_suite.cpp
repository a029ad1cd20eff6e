// `ladder`, VM side: what each step of bringing up a VM costs, next to the container
// side's namespaces and cgroups (ladder_suite.cpp). Each row is cumulative; counters
// ready_s (the step's cumulative time, = the row's time) and step_s (what it adds).
// The floor, with the kvm backend's minimal VMM (no QEMU, no guest OS), one VM life per
// repetition:
//   ladder/kvm/vm_create          KVM_CREATE_VM: the VM object alone
//   ladder/kvm/vcpu               + guest memory slot + vCPU: a VM that could run
//   ladder/kvm/first_instruction  + the first guest instruction (64-bit), to its first exit
//   ladder/kvm/kernel_result      + the workload's hash kernel: fill 1 MiB, one pass, its result
// Then a real guest, from the phases the vm (libvirt) and qemu (QEMU alone) backends
// mark, one `noop` guest life per repetition shared by the backend's rows:
//   ladder/{vm,qemu}/vmm_up          launch -> QEMU up with its vCPUs released
//   ladder/{vm,qemu}/workload_ready  + guest kernel boot and the workload's start
#include "runtimes/kvm/kvm_backend.hpp"
#include "runtimes/kvm/primitives.hpp"
#include "bench/harness/row_attributes.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

using namespace kvm;

struct LadderStep {
  const char* name;
  std::int64_t (*cumulative_ns)(const LifecycleSample&);
  std::int64_t (*step_ns)(const LifecycleSample&);
  const char* baseline;  // the step it adds to, in the same VM life ("" for the floor)
};

constexpr LadderStep kSteps[] = {
    {"vm_create", [](const LifecycleSample& s) { return s.birth.vm_create_ns; },
     [](const LifecycleSample& s) { return s.birth.vm_create_ns; }, ""},
    {"vcpu", [](const LifecycleSample& s) { return s.birth.vm_create_ns + s.birth.memory_slot_ns + s.birth.vcpu_create_ns; },
     [](const LifecycleSample& s) { return s.birth.memory_slot_ns + s.birth.vcpu_create_ns; }, "vm_create"},
    {"first_instruction", [](const LifecycleSample& s) { return s.birth.create_to_first_exit_ns(); },
     [](const LifecycleSample& s) { return s.birth.first_exit_ns; }, "vcpu"},
    {"kernel_result", [](const LifecycleSample& s) { return s.birth.create_to_first_exit_ns() + s.kernel_result_ns; },
     [](const LifecycleSample& s) { return s.kernel_result_ns; }, "first_instruction"},
};

struct GuestStep {
  const char* name;
  const char* from;      // the phase the step starts at (step_s)
  const char* to;        // the phase it ends at (ready_s from launch)
  const char* baseline;  // the step whose end it starts at ("" from launch)
};

constexpr GuestStep kGuestSteps[] = {
    {"vmm_up", "launch", "qemu_up", ""},
    {"workload_ready", "qemu_up", "ready", "vmm_up"},
};

void add_guest_rows(Plan& plan, const std::string& name) {
  Backend* backend = plan.backends().find(name);
  if (backend == nullptr || !plan.wants_backend(name)) return;
  const Availability& availability = plan.backends().availability(name);
  if (!availability.available) {
    for (const GuestStep& step : kGuestSteps) plan.add_unavailable("ladder/" + name + "/" + step.name, availability.reason);
    return;
  }
  LifecycleTimeouts timeouts = plan.timeouts_for(name);
  LaunchOptions options;
  options.workload = {"noop", {}};
  options.ready_timeout = timeouts.ready;
  // One guest life serves every row of the backend, and the startup suite's `noop` row
  // too when it runs (the same launch: startup_suite.cpp).
  auto lives = plan.shared<SharedLives>(noop_lives_key(name));
  lives->configure(*backend, options, timeouts);
  for (const GuestStep& step : kGuestSteps) {
    const std::string row = "ladder/" + name + "/" + step.name;
    if (plan.passes_filter(row)) lives->add_row(row);
    BenchmarkSpec spec{row, startup_repetitions(plan, name, backend->traits()), [lives, row, step](benchmark::State& state) {
                for (auto _ : state) {
                  auto record = lives->next(row);
                  if (!record) return record_failure(state, record.error().describe());
                  if (!record->outcome.ok()) return record_failure(state, record->outcome.failure);
                  auto total = record->phases.seconds("launch", step.to);
                  auto added = record->phases.seconds(step.from, step.to);
                  if (!total || !added)
                    return record_failure(state, std::string("the backend marked no `") + step.from + "` or `" +
                                                     step.to + "` phase");
                  state.SetIterationTime(*total);
                  state.counters["ready_s"] = *total;
                  state.counters["step_s"] = *added;
                  nlohmann::json attributes = attributes_object(record->attributes);
                  attributes["baseline"] = step.baseline;
                  set_row_attributes(state, attributes);
                }
              }};
    spec.estimate_s = plan.guess_repetition_s(row) / 3;  // the life is shared (startup's row too)
    plan.add(std::move(spec));
  }
}

void add_kvm_rows(Plan& plan) {
  if (!plan.wants_backend("kvm")) return;
  auto* backend = dynamic_cast<KvmBackend*>(plan.backends().find("kvm"));
  if (backend == nullptr) return;
  const Availability& availability = plan.backends().availability("kvm");
  if (!availability.available) {
    for (const LadderStep& step : kSteps) plan.add_unavailable(std::string("ladder/kvm/") + step.name, availability.reason);
    return;
  }
  auto system = std::make_shared<std::optional<KvmSystem>>();
  std::filesystem::path device = backend->device();
  const GuestMode mode = backend->facts().native_guest_mode();
  for (const LadderStep& step : kSteps) {
    nlohmann::json attributes = {{"hypervisor", backend->facts().hypervisor()},
                                  {"guest_mode", to_string(backend->facts().native_guest_mode())}};
    if (*step.baseline) attributes["baseline"] = step.baseline;
    plan.add({std::string("ladder/kvm/") + step.name, plan.repetitions(50, 15),
              [system, device, mode, step, attributes](benchmark::State& state) {
                for (auto _ : state) {
                  if (!*system) {
                    auto opened = KvmSystem::open(device);
                    if (!opened) return record_failure(state, opened.error().describe());
                    system->emplace(std::move(*opened));
                  }
                  auto sample = measure_lifecycle(**system, mode, LifeUntil::kKernelResult);
                  if (!sample) return record_failure(state, sample.error().describe());
                  double seconds = static_cast<double>(step.cumulative_ns(*sample)) / 1e9;
                  state.SetIterationTime(seconds);
                  state.counters["ready_s"] = seconds;
                  state.counters["step_s"] = static_cast<double>(step.step_ns(*sample)) / 1e9;
                }
                set_row_attributes(state, attributes);
              }});
  }
}

}  // namespace

void add_ladder_vm_suite(Plan& plan) {
  if (!plan.wants_suite("ladder")) return;
  add_kvm_rows(plan);
  add_guest_rows(plan, "vm");
  add_guest_rows(plan, "qemu");
}

}  // namespace isobench
