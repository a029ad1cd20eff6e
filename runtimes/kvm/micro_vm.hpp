// The smallest VM that runs code: one memory slot holding the guest programs where the
// reset vector points, one vCPU left in its reset state. No irqchip, no devices, no
// firmware: every exit comes back to us.
//
// create() takes CLOCK_MONOTONIC timestamps between its steps so that each step of a
// VM's birth can be reported on its own; nothing in it allocates on the heap besides
// what the kernel does for the ioctls (the error paths aside).
#pragma once

#include <cstdint>

#include "runtimes/common/error.hpp"
#include "guest_code.hpp"
#include "kvm_system.hpp"
#include "kvm_vm.hpp"
#include "mapped_region.hpp"

namespace isobench::kvm {

// Nanoseconds spent in each step of create() and in the first run.
struct BirthTimes {
  std::int64_t vm_create_ns = 0;    // KVM_CREATE_VM
  std::int64_t memory_slot_ns = 0;  // mmap guest RAM, load the programs, KVM_SET_USER_MEMORY_REGION
  std::int64_t vcpu_create_ns = 0;  // KVM_CREATE_VCPU, mmap kvm_run
  std::int64_t first_exit_ns = 0;   // the first KVM_RUN, from the reset vector to its first exit

  std::int64_t create_to_first_exit_ns() const { return vm_create_ns + memory_slot_ns + vcpu_create_ns + first_exit_ns; }
};

class MicroVm {
 public:
  // Creates the VM, its memory and its vCPU. `times` receives the three creation steps.
  static Result<MicroVm> create(const KvmSystem& system, BirthTimes& times);

  // The new vCPU's first KVM_RUN: it starts at the reset vector, whose first
  // instruction is an `out`. Fills times.first_exit_ns and checks the exit.
  // REQUIRES: a vCPU that has not run yet; the thread's RunWatchdog is armed.
  Result<void> run_to_first_exit(BirthTimes& times);

  // Points the vCPU at `program` with the given registers, whatever ran before.
  Result<void> start(const GuestProgram& program, const EntryRegisters& registers);

  KvmVcpu& vcpu() { return vcpu_; }
  std::byte* guest_memory() const { return memory_.bytes(); }

  // Releases the vCPU, the VM and guest RAM, in that order; returns the nanoseconds
  // it took. The destructor does the same when not called.
  std::int64_t destroy();

 private:
  MicroVm(MappedRegion memory, KvmVm vm, KvmVcpu vcpu)
      : memory_(std::move(memory)), vm_(std::move(vm)), vcpu_(std::move(vcpu)) {}

  // Declared in the order of creation, so that members are destroyed vCPU first.
  MappedRegion memory_;
  KvmVm vm_;
  KvmVcpu vcpu_;
};

}  // namespace isobench::kvm
