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

  // KVM_SET_USER_MEMORY_REGION: `memory` appears to the guest at `guest_phys`.
  // REQUIRES: `memory` outlives the VM (the kernel keeps using its pages).
  Result<void> set_memory_slot(std::uint32_t slot, std::uint64_t guest_phys, const MappedRegion& memory);

  int fd() const { return fd_.get(); }

 private:
  explicit KvmVm(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// The general registers a real-mode program starts with, besides its entry point.
struct EntryRegisters {
  std::uint64_t rax = 0;
  std::uint64_t rsi = 0;
};

class KvmVcpu {
 public:
  // KVM_CREATE_VCPU `id`, then maps its kvm_run structure.
  static Result<KvmVcpu> create(const KvmVm& vm, const KvmSystem& system, int id);
  KvmVcpu(KvmVcpu&&) noexcept = default;
  KvmVcpu& operator=(KvmVcpu&&) noexcept = default;
  ~KvmVcpu();

  // KVM_SET_REGS: IP = `ip`, flags with only the reserved bit 1 set, the given general
  // registers, the others zero. Segment registers are left as they are.
  Result<void> set_entry(std::uint16_t ip, const EntryRegisters& registers);
  Result<kvm_regs> registers() const;

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
