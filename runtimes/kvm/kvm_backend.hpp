// `kvm`: a minimal VMM on the KVM ioctl API (no QEMU, no guest OS, no firmware). Its
// 64-bit guest (guest_vm.hpp) runs the workload's cpu and mem kernels, the same machine
// code as the workload binary (bench/kernels), for the cpu and mem suites' kvm rows; the
// `hypervisor` suite and the VM side of the `ladder` use it to measure the least a VM can
// cost: VM and vCPU creation, the first guest instruction, exit round trips, paging.
#pragma once

#include <filesystem>

#include "runtimes/backend.hpp"
#include "hypervisor_facts.hpp"

namespace isobench {

std::unique_ptr<Backend> make_kvm_backend(const BackendConfig& config);

class KvmBackend final : public Backend {
 public:
  // `device` and the /sys/module and /proc/cpuinfo paths are injectable for tests.
  explicit KvmBackend(std::filesystem::path device, std::filesystem::path sys_module = "/sys/module",
                      std::filesystem::path cpuinfo = "/proc/cpuinfo");

  std::string name() const override { return "kvm"; }
  std::string summary() const override;
  Availability probe() override;
  Result<std::unique_ptr<Instance>> launch(const LaunchOptions& options) override;
  // No guest OS and no workload binary; the host's hypervisor may emulate the guest
  // (PVM runs CPL 0 in KVM's instruction emulator), so each run checks (emulation.hpp).
  BackendTraits traits() const override {
    return {.family = BackendFamily::kMicroVm, .runs_workloads = false, .emulation_possible = true};
  }
  std::vector<DoctorCheck> doctor() override;
  std::map<std::string, std::string> manifest() override;

  const std::filesystem::path& device() const { return device_; }
  const kvm::HypervisorFacts& facts() const { return facts_; }

 private:
  const kvm::KvmProbe& probed();

  std::filesystem::path device_;
  kvm::HypervisorFacts facts_;
  std::optional<kvm::KvmProbe> probe_;
};

}  // namespace isobench
