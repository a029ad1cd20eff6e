// Which KVM implementation this host has, read from /sys/module and /proc/cpuinfo
// (paths injectable for tests), and the probe that turns it into available / unavailable
// with a reason the user can act on.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "runtimes/backend.hpp"
#include "long_mode.hpp"

namespace isobench::kvm {

struct HypervisorFacts {
  // The KVM vendor module present: "kvm_intel", "kvm_amd", "kvm_pvm" (the paravirtual
  // KVM that needs no vmx/svm) or "none". Built-in modules appear in /sys/module too.
  std::string module = "none";
  // The CPU's hardware virtualization flag: "vmx", "svm" or "none".
  std::string cpu_flag = "none";
  // The CPU reports the `hypervisor` flag: this host is itself a guest, KVM is nested.
  bool host_is_guest = false;

  // "kvm_pvm (paravirtual KVM; no vmx/svm; nested: the host is itself a VM)"
  std::string describe() const;
  bool is_pvm() const { return module == "kvm_pvm"; }
  // "pvm", "kvm_intel", "kvm_amd" or "none": the `hypervisor` attribute of a row.
  std::string hypervisor() const { return is_pvm() ? "pvm" : module; }
  // The mode the guest's code runs natively in: user mode under PVM (which emulates
  // CPL 0, HOST-NOTES.md "KVM"), kernel mode (ring 0) under hardware KVM, which also
  // allows port I/O and hlt.
  GuestMode native_guest_mode() const { return is_pvm() ? GuestMode::kUser : GuestMode::kKernel; }
};

HypervisorFacts read_hypervisor_facts(const std::filesystem::path& sys_module = "/sys/module",
                                      const std::filesystem::path& cpuinfo = "/proc/cpuinfo");

struct KvmProbe {
  Availability availability;
  std::optional<int> api_version;  // when the device answered KVM_GET_API_VERSION
};

// Opens `device`, checks the API version, then creates a VM and runs its 64-bit guest
// (in facts.native_guest_mode()) to its first exit, bounded by the KVM_RUN watchdog:
// "present" is not "usable".
KvmProbe probe_kvm(const std::filesystem::path& device, const HypervisorFacts& facts);

}  // namespace isobench::kvm
