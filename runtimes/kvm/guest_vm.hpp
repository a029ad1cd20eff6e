// A VM that runs the workload's kernels: guest memory (guest_memory.hpp) with the guest
// image, one vCPU in 64-bit mode (long_mode.hpp) with the host's CPUID, no irqchip, no
// devices, no firmware. The VMM asks for one operation at a time through the mailbox;
// the guest runs it and exits with an MMIO store (guest/guest_protocol.h).
//
// create() takes CLOCK_MONOTONIC timestamps between its steps so that each step of a
// VM's birth can be reported on its own.
#pragma once

#include <array>
#include <cstdint>

#include "runtimes/common/error.hpp"
#include "guest/guest_protocol.h"
#include "guest_memory.hpp"
#include "kvm_system.hpp"
#include "kvm_vm.hpp"
#include "long_mode.hpp"

namespace isobench::kvm {

// Nanoseconds spent in each step of create() and in the first run.
struct BirthTimes {
  std::int64_t vm_create_ns = 0;    // KVM_CREATE_VM
  std::int64_t memory_slot_ns = 0;  // mmap, load the image, page tables, KVM_SET_USER_MEMORY_REGION x2
  std::int64_t vcpu_create_ns = 0;  // KVM_CREATE_VCPU, mmap kvm_run, CPUID, 64-bit registers
  std::int64_t first_exit_ns = 0;   // the first KVM_RUN: first guest instruction to its report exit

  std::int64_t create_to_first_exit_ns() const { return vm_create_ns + memory_slot_ns + vcpu_create_ns + first_exit_ns; }
};

struct GuestVmConfig {
  std::uint64_t heap_bytes = 0;  // kernel buffers
  GuestPages pages = GuestPages::k2MiB;
  HostPages host_pages = HostPages::kDefault;
  GuestMode mode = GuestMode::kUser;
};

// An operation's outcome: the KVM_RUN that ran it, entry to the report exit.
struct GuestCall {
  std::int64_t ns = 0;
  std::uint64_t result = 0;
};

class GuestVm {
 public:
  static Result<GuestVm> create(KvmSystem& system, const GuestVmConfig& config, BirthTimes& times);

  // The vCPU's first KVM_RUN: the guest starts with ISOBENCH_OP_REPORT in its mailbox
  // and exits at once. Fills times.first_exit_ns.
  Result<void> run_to_first_exit(BirthTimes& times);

  // Runs `op` with `args` to its report exit, bounded by `limit` (the thread's KVM_RUN
  // watchdog, armed outside the timed window). A guest that exits any other way (a
  // fault: KVM_EXIT_SHUTDOWN) or never does is an error naming the operation.
  Result<GuestCall> call(std::uint64_t op, std::array<std::uint64_t, 6> args, std::chrono::nanoseconds limit);

  // For the endless operations (MMIO and port I/O loops): puts `op` in the mailbox and
  // points the vCPU at the guest's entry, whatever it was doing.
  Result<void> restart_with(std::uint64_t op);

  const GuestVmConfig& config() const { return config_; }
  const GuestMemory& memory() const { return memory_; }
  KvmVcpu& vcpu() { return vcpu_; }
  KvmSystem& system() { return *system_; }

  // The heap: [heap_base, heap_base + heap_bytes), guest addresses.
  std::uint64_t heap_base() const { return memory_.layout().heap_base; }
  std::uint64_t heap_bytes() const { return memory_.layout().heap_bytes; }
  template <class T>
  T* host_pointer(std::uint64_t gpa) const { return reinterpret_cast<T*>(memory_.at(gpa)); }

  // Releases the vCPU, the VM and guest RAM, in that order; returns the nanoseconds
  // it took. The destructor does the same when not called.
  std::int64_t destroy();

 private:
  GuestVm(KvmSystem& system, GuestVmConfig config, GuestMemory memory, KvmVm vm, KvmVcpu vcpu, std::uint64_t entry)
      : system_(&system), config_(config), memory_(std::move(memory)), vm_(std::move(vm)), vcpu_(std::move(vcpu)),
        entry_(entry) {}
  volatile isobench_guest_mailbox& mailbox() const {
    return *reinterpret_cast<volatile isobench_guest_mailbox*>(memory_.at(ISOBENCH_GUEST_MAILBOX));
  }
  Result<void> check_report(std::uint64_t op) const;

  KvmSystem* system_;
  GuestVmConfig config_;
  // Declared in the order of creation, so that members are destroyed vCPU first.
  GuestMemory memory_;
  KvmVm vm_;
  KvmVcpu vcpu_;
  std::uint64_t entry_;
};

// "hash_rounds", "mmio_loop", ...
const char* op_name(std::uint64_t op);

// The parsed embedded guest image (parsed once).
Result<const ElfImage*> guest_image();

}  // namespace isobench::kvm
