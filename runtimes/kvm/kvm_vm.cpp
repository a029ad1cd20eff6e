#include "kvm_vm.hpp"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstdio>

namespace isobench::kvm {

Result<KvmVm> KvmVm::create(const KvmSystem& system) {
  UniqueFd fd(::ioctl(system.fd(), KVM_CREATE_VM, 0));
  if (!fd) return fail_errno("KVM_CREATE_VM on " + in_quotes(system.device()));
  return KvmVm(std::move(fd));
}

Result<void> KvmVm::set_memory_slot(std::uint32_t slot, std::uint64_t guest_phys, void* host, std::uint64_t bytes) {
  kvm_userspace_memory_region region{};
  region.slot = slot;
  region.guest_phys_addr = guest_phys;
  region.memory_size = bytes;
  region.userspace_addr = reinterpret_cast<std::uint64_t>(host);
  if (::ioctl(fd_.get(), KVM_SET_USER_MEMORY_REGION, &region) != 0)
    return fail_errno("KVM_SET_USER_MEMORY_REGION slot " + std::to_string(slot));
  return {};
}

Result<KvmVcpu> KvmVcpu::create(const KvmVm& vm, const KvmSystem& system, int id) {
  UniqueFd fd(::ioctl(vm.fd(), KVM_CREATE_VCPU, id));
  if (!fd) return fail_errno("KVM_CREATE_VCPU " + std::to_string(id));
  auto run_map = MappedRegion::shared(fd.get(), system.vcpu_mmap_size(), "the vCPU's kvm_run");
  if (!run_map) return std::unexpected(run_map.error());
  return KvmVcpu(std::move(fd), std::move(*run_map));
}

KvmVcpu::~KvmVcpu() {
  if (run_map_) RunWatchdog::forget_run(&state());
}

Result<void> KvmVcpu::set_entry(std::uint64_t rip, std::uint64_t rsp) {
  kvm_regs regs{};
  regs.rip = rip;
  regs.rsp = rsp;
  regs.rflags = 0x2;
  if (::ioctl(fd_.get(), KVM_SET_REGS, &regs) != 0) return fail_errno("KVM_SET_REGS");
  return {};
}

Result<kvm_sregs> KvmVcpu::special_registers() const {
  kvm_sregs sregs{};
  if (::ioctl(fd_.get(), KVM_GET_SREGS, &sregs) != 0) return fail_errno("KVM_GET_SREGS");
  return sregs;
}

Result<void> KvmVcpu::set_special_registers(const kvm_sregs& sregs) {
  if (::ioctl(fd_.get(), KVM_SET_SREGS, &sregs) != 0) return fail_errno("KVM_SET_SREGS");
  return {};
}

Result<void> KvmVcpu::set_cpuid(const KvmSystem& system) {
  auto cpuid = system.supported_cpuid();
  if (!cpuid) return std::unexpected(cpuid.error());
  if (::ioctl(fd_.get(), kSetCpuid2, *cpuid) != 0) return fail_errno("KVM_SET_CPUID2");
  return {};
}

Result<kvm_regs> KvmVcpu::registers() const {
  kvm_regs regs{};
  if (::ioctl(fd_.get(), KVM_GET_REGS, &regs) != 0) return fail_errno("KVM_GET_REGS");
  return regs;
}

Result<void> KvmVcpu::complete_pending_io() {
  kvm_run& shared = state();
  shared.immediate_exit = 1;
  int rc = ::ioctl(fd_.get(), KVM_RUN, 0);
  int err = errno;
  shared.immediate_exit = 0;
  if (rc == 0 || err == EINTR) return {};
  return fail_errno("KVM_RUN to complete the pending I/O", err);
}

Result<std::uint32_t> KvmVcpu::run() {
  kvm_run& shared = state();
  for (;;) {
    if (RunWatchdog::enter_run(&shared)) break;
    if (::ioctl(fd_.get(), KVM_RUN, 0) == 0) return shared.exit_reason;
    if (errno != EINTR) return fail_errno("KVM_RUN");
    shared.immediate_exit = 0;
    if (RunWatchdog::fired()) break;
    // Another signal: the guest has not exited yet, enter it again.
  }
  shared.immediate_exit = 0;
  return fail("KVM_RUN: the guest did not exit within the time limit");
}

std::string describe_exit(const kvm_run& run) {
  char buf[160];
  switch (run.exit_reason) {
    case KVM_EXIT_IO:
      std::snprintf(buf, sizeof buf, "KVM_EXIT_IO %s port 0x%x size %u", run.io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
                    run.io.port, run.io.size);
      break;
    case KVM_EXIT_MMIO:
      std::snprintf(buf, sizeof buf, "KVM_EXIT_MMIO %s 0x%llx len %u", run.mmio.is_write ? "write" : "read",
                    static_cast<unsigned long long>(run.mmio.phys_addr), run.mmio.len);
      break;
    case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
    case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN (triple fault)";
    case KVM_EXIT_FAIL_ENTRY:
      std::snprintf(buf, sizeof buf, "KVM_EXIT_FAIL_ENTRY hardware reason 0x%llx",
                    static_cast<unsigned long long>(run.fail_entry.hardware_entry_failure_reason));
      break;
    case KVM_EXIT_INTERNAL_ERROR:
      std::snprintf(buf, sizeof buf, "KVM_EXIT_INTERNAL_ERROR suberror %u", run.internal.suberror);
      break;
    default: std::snprintf(buf, sizeof buf, "exit reason %u", run.exit_reason);
  }
  return buf;
}

}  // namespace isobench::kvm
