// `ladder`, VM side: what each step of bringing up a VM costs on its own, measured with
// the kvm backend's minimal VMM (no QEMU, no guest OS), next to the container side's
// namespaces and cgroups (ladder_suite.cpp). Each row is cumulative, one VM life per
// repetition:
//   ladder/kvm/vm_create          KVM_CREATE_VM: the VM object alone
//   ladder/kvm/vcpu               + guest memory slot + vCPU: a VM that could run
//   ladder/kvm/first_instruction  + the first guest instruction, to its first exit
// Counters: ready_s (the step's cumulative time) and step_s (what the step adds).
#include "../../runtimes/kvm/kvm_backend.hpp"
#include "../../runtimes/kvm/primitives.hpp"
#include "plan.hpp"

namespace isobench {
namespace {

using namespace kvm;

struct LadderStep {
  const char* name;
  std::int64_t (*cumulative_ns)(const BirthTimes&);
  std::int64_t (*step_ns)(const BirthTimes&);
};

constexpr LadderStep kSteps[] = {
    {"vm_create", [](const BirthTimes& t) { return t.vm_create_ns; }, [](const BirthTimes& t) { return t.vm_create_ns; }},
    {"vcpu", [](const BirthTimes& t) { return t.vm_create_ns + t.memory_slot_ns + t.vcpu_create_ns; },
     [](const BirthTimes& t) { return t.memory_slot_ns + t.vcpu_create_ns; }},
    {"first_instruction", [](const BirthTimes& t) { return t.create_to_first_exit_ns(); },
     [](const BirthTimes& t) { return t.first_exit_ns; }},
};

}  // namespace

void add_ladder_vm_suite(Plan& plan) {
  if (!plan.wants_suite("ladder") || !plan.wants_backend("kvm")) return;
  auto* backend = dynamic_cast<KvmBackend*>(plan.backends().find("kvm"));
  if (backend == nullptr) return;
  const Availability& availability = plan.backends().availability("kvm");
  if (!availability.available) {
    for (const LadderStep& step : kSteps) plan.add_unavailable(std::string("ladder/kvm/") + step.name, availability.reason);
    return;
  }
  auto system = std::make_shared<std::optional<KvmSystem>>();
  std::filesystem::path device = backend->device();
  std::string label = "hypervisor=" + backend->facts().module;
  for (const LadderStep& step : kSteps) {
    plan.add({std::string("ladder/kvm/") + step.name, plan.repetitions(50, 15),
              [system, device, step, label](benchmark::State& state) {
                for (auto _ : state) {
                  if (!*system) {
                    auto opened = KvmSystem::open(device);
                    if (!opened) return record_failure(state, opened.error().describe());
                    system->emplace(std::move(*opened));
                  }
                  auto sample = measure_lifecycle(**system);
                  if (!sample) return record_failure(state, sample.error().describe());
                  double seconds = static_cast<double>(step.cumulative_ns(sample->birth)) / 1e9;
                  state.SetIterationTime(seconds);
                  state.counters["ready_s"] = seconds;
                  state.counters["step_s"] = static_cast<double>(step.step_ns(sample->birth)) / 1e9;
                }
                state.SetLabel(label);
              }});
  }
}

}  // namespace isobench
