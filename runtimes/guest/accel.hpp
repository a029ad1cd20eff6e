// Which accelerator a guest gets: KVM where it can run a Linux guest, TCG otherwise.
//
// "/dev/kvm exists" is not "KVM can boot Linux": a paravirtual nested KVM (kvm_pvm)
// offers /dev/kvm without vmx/svm, and a Linux guest hangs under it in early boot
// (HOST-NOTES.md). So auto picks KVM only with the CPU's vmx/svm flag and a /dev/kvm
// that answers; the reason for the choice is kept for doctor, the manifest and each row.
#pragma once

#include <string>
#include <string_view>

#include "runtimes/common/error.hpp"

namespace isobench::guest {

struct HostVirt {
  std::string cpu_flag = "none";  // "vmx", "svm" or "none"
  std::string kvm_module = "none";  // "kvm_intel", "kvm_amd", "kvm_pvm" or "none"
  bool kvm_usable = false;          // /dev/kvm opened and answered KVM_GET_API_VERSION
  std::string kvm_detail;           // why not, when !kvm_usable
};

HostVirt read_host_virt();

struct AccelChoice {
  std::string accel;   // "kvm" or "tcg": QEMU's -accel, libvirt's <domain type> kvm/qemu
  std::string reason;  // one line: why this accelerator

  std::string libvirt_domain_type() const { return accel == "kvm" ? "kvm" : "qemu"; }
};

// `mode` is --vm-accel: auto, kvm or tcg. Fails only for kvm on a host where /dev/kvm
// is unusable, with the reason.
Result<AccelChoice> choose_accel(std::string_view mode, const HostVirt& host);

}  // namespace isobench::guest
