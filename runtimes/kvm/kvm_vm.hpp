// A VM (KVM_CREATE_VM's fd) and its vCPUs (KVM_CREATE_VCPU's fd plus the shared
// kvm_run mapping). Closing the last of them frees the VM in the kernel.
#pragma once

#include <linux/kvm.h>

#include <cstdint>
#include <string>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "kvm_system.hpp"
#include "mapped_region.hpp"

namespace isobench::kvm {

class KvmVm {
 public:
  // KVM_CREATE_VM with the default machine type.
  static Result<KvmVm> create(const KvmSystem& system);

  // KVM_SET_USER_MEMORY_REGION: `bytes` of host memory at `host` appear to the guest at
  // `guest_phys`. REQUIRES: the memory outlives the VM (the kernel keeps using its pages).
  Result<void> set_memory_slot(std::uint32_t slot, std::uint64_t guest_phys, void* host, std::uint64_t bytes);

  int fd() const { return fd_.get(); }

 private:
  explicit KvmVm(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

class KvmVcpu {
 public:
  // KVM_CREATE_VCPU `id`, then maps its kvm_run structure.
  static Result<KvmVcpu> create(const KvmVm& vm, const KvmSystem& system, int id);
  KvmVcpu(KvmVcpu&&) noexcept = default;
  KvmVcpu& operator=(KvmVcpu&&) noexcept = default;
  ~KvmVcpu();

  // KVM_SET_REGS: RIP = `rip`, RSP = `rsp`, flags with only the reserved bit 1 set
  // (interrupts off), the other general registers zero.
  Result<void> set_entry(std::uint64_t rip, std::uint64_t rsp);
  Result<kvm_regs> registers() const;
  int fd() const { return fd_.get(); }
  Result<kvm_sregs> special_registers() const;
  Result<void> set_special_registers(const kvm_sregs& sregs);
  // KVM_SET_CPUID2 with the entries KVM supports (KvmSystem::supported_cpuid): the
  // guest sees the host's CPU, and KVM knows its physical address width.
  Result<void> set_cpuid(const KvmSystem& system);

  // After an I/O or MMIO exit the instruction is only finished by the next KVM_RUN (the
  // kernel may still write RIP and registers then). This re-enters KVM_RUN with
  // immediate_exit set, which finishes it without running another guest instruction,
  // so that registers set afterwards stick.
  Result<void> complete_pending_io();

  // KVM_RUN until the next exit to user space; returns kvm_run's exit_reason.
  // Fails when the thread's armed RunWatchdog expires first.
  Result<std::uint32_t> run();
  const kvm_run& state() const { return *static_cast<const kvm_run*>(run_map_.get()); }
  kvm_run& state() { return *static_cast<kvm_run*>(run_map_.get()); }

 private:
  KvmVcpu(UniqueFd fd, MappedRegion run_map) : fd_(std::move(fd)), run_map_(std::move(run_map)) {}
  UniqueFd fd_;
  MappedRegion run_map_;
};

// "KVM_EXIT_IO out port 0x10 size 1", "KVM_EXIT_INTERNAL_ERROR suberror 1", ...
std::string describe_exit(const kvm_run& run);

}  // namespace isobench::kvm
