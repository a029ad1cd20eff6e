#include "kvm_backend.hpp"

#include <cstdlib>

#include "kvm_system.hpp"

namespace isobench {

KvmBackend::KvmBackend(std::filesystem::path device, std::filesystem::path sys_module, std::filesystem::path cpuinfo)
    : device_(std::move(device)), facts_(kvm::read_hypervisor_facts(sys_module, cpuinfo)) {}

std::string KvmBackend::summary() const {
  return "minimal VMM on " + device_.string() + ", a 64-bit " + std::string(kvm::to_string(facts_.native_guest_mode())) +
         "-mode guest running the workload's kernels, no guest OS; hypervisor " + facts_.describe();
}

const kvm::KvmProbe& KvmBackend::probed() {
  if (!probe_) probe_ = kvm::probe_kvm(device_, facts_);
  return *probe_;
}

Availability KvmBackend::probe() { return probed().availability; }

Result<std::unique_ptr<Instance>> KvmBackend::launch(const LaunchOptions& options) {
  return fail("kvm runs no workload binary (asked for `" + options.workload.name +
              "`): its guest runs the workload's cpu and mem kernels (cpu/kvm/..., mem/kvm/...) and the `hypervisor` "
              "suite's primitives; run the workload binary in a guest with --backend vm or qemu");
}

std::vector<DoctorCheck> KvmBackend::doctor() {
  const kvm::KvmProbe& probe = probed();
  std::vector<DoctorCheck> checks;
  checks.push_back({"hypervisor", facts_.module != "none", facts_.describe(),
                    "load kvm_intel or kvm_amd, and enable virtualization (VT-x/AMD-V) in the firmware"});
  if (probe.api_version) {
    checks.push_back({"device", true, device_.string() + " speaks KVM API " + std::to_string(*probe.api_version), ""});
    checks.push_back({std::string("64-bit ") + kvm::to_string(facts_.native_guest_mode()) + "-mode guest",
                      probe.availability.available,
                      probe.availability.available ? "a VM was created and ran to its first exit"
                                                   : probe.availability.reason,
                      "check the kernel log (dmesg) for KVM errors"});
  } else {
    checks.push_back({"device", false, probe.availability.reason,
                      "load kvm_intel or kvm_amd (modprobe) on a host with vmx/svm, and make " + device_.string() +
                          " readable and writable"});
  }
  return checks;
}

std::map<std::string, std::string> KvmBackend::manifest() {
  const kvm::KvmProbe& probe = probed();
  std::map<std::string, std::string> out = {
      {"kvm_device", device_.string()},
      {"hypervisor", facts_.describe()},
      {"kvm_module", facts_.module},
      {"cpu_virtualization_flag", facts_.cpu_flag},
      {"nested", facts_.host_is_guest ? "yes" : "no"},
      {"guest_mode", kvm::to_string(facts_.native_guest_mode())},
  };
  if (probe.api_version) out["kvm_api_version"] = std::to_string(*probe.api_version);
  return out;
}

std::unique_ptr<Backend> make_kvm_backend(const BackendConfig&) {
  return std::make_unique<KvmBackend>(kvm::kDefaultDevice);
}

}  // namespace isobench
