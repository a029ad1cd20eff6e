#include "micro_vm.hpp"

#include <cstring>

#include "runtimes/common/clock.hpp"

namespace isobench::kvm {

Result<MicroVm> MicroVm::create(const KvmSystem& system, BirthTimes& times) {
  std::int64_t start = monotonic_ns();
  auto vm = KvmVm::create(system);
  if (!vm) return std::unexpected(vm.error());
  std::int64_t vm_created = monotonic_ns();

  auto memory = MappedRegion::anonymous(kGuestMemoryBytes, "guest memory");
  if (!memory) return std::unexpected(memory.error());
  for (const GuestProgram* program : all_programs())
    std::memcpy(memory->bytes() + program->entry, program->code.data(), program->code.size());
  if (auto slot = vm->set_memory_slot(0, kGuestMemoryBase, *memory); !slot) return std::unexpected(slot.error());
  std::int64_t memory_ready = monotonic_ns();

  auto vcpu = KvmVcpu::create(*vm, system, 0);
  if (!vcpu) return std::unexpected(vcpu.error());
  std::int64_t vcpu_created = monotonic_ns();

  times.vm_create_ns = vm_created - start;
  times.memory_slot_ns = memory_ready - vm_created;
  times.vcpu_create_ns = vcpu_created - memory_ready;
  return MicroVm(std::move(*memory), std::move(*vm), std::move(*vcpu));
}

Result<void> MicroVm::run_to_first_exit(BirthTimes& times) {
  std::int64_t start = monotonic_ns();
  auto exit = vcpu_.run();
  std::int64_t end = monotonic_ns();
  if (!exit) return std::unexpected(exit.error());
  const kvm_run& run = vcpu_.state();
  if (*exit != KVM_EXIT_IO || run.io.direction != KVM_EXIT_IO_OUT || run.io.port != kLoopPort)
    return fail("first exit from the reset vector was " + describe_exit(run) + ", expected its `out`");
  times.first_exit_ns = end - start;
  return {};
}

Result<void> MicroVm::start(const GuestProgram& program, const EntryRegisters& registers) {
  if (auto done = vcpu_.complete_pending_io(); !done) return done;
  return vcpu_.set_entry(program.entry, registers);
}

std::int64_t MicroVm::destroy() {
  std::int64_t start = monotonic_ns();
  { KvmVcpu gone = std::move(vcpu_); }
  { KvmVm gone = std::move(vm_); }
  memory_.reset();
  return monotonic_ns() - start;
}

}  // namespace isobench::kvm
