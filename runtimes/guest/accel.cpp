#include "accel.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "runtimes/common/unique_fd.hpp"
#include "runtimes/kvm/hypervisor_facts.hpp"

namespace isobench::guest {

HostVirt read_host_virt() {
  HostVirt host;
  auto facts = kvm::read_hypervisor_facts();
  host.cpu_flag = facts.cpu_flag;
  host.kvm_module = facts.module;
  UniqueFd kvm(::open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm) {
    host.kvm_detail = Error::from_errno("open `/dev/kvm`").describe();
    return host;
  }
  int version = ::ioctl(kvm.get(), KVM_GET_API_VERSION, 0);
  if (version != KVM_API_VERSION) {
    host.kvm_detail = "`/dev/kvm` answered API version " + std::to_string(version) + ", expected " +
                      std::to_string(KVM_API_VERSION);
    return host;
  }
  host.kvm_usable = true;
  return host;
}

Result<AccelChoice> choose_accel(std::string_view mode, const HostVirt& host) {
  if (mode == "tcg") return AccelChoice{"tcg", "TCG emulation, as asked by --vm-accel tcg"};
  if (mode == "kvm") {
    if (!host.kvm_usable) return fail("--vm-accel kvm: " + host.kvm_detail + ": use --vm-accel auto or tcg");
    std::string reason = "KVM, as asked by --vm-accel kvm";
    if (host.cpu_flag == "none")
      reason += " (no vmx/svm flag: KVM here is " + host.kvm_module + ", which may not boot Linux)";
    return AccelChoice{"kvm", reason};
  }
  if (mode != "auto") return fail("--vm-accel `" + std::string(mode) + "`: expected auto, kvm or tcg");
  if (!host.kvm_usable)
    return AccelChoice{"tcg", "TCG emulation: " + host.kvm_detail +
                                  (host.cpu_flag == "none" ? "; the CPU has no vmx/svm flag either" : "")};
  if (host.cpu_flag == "none")
    return AccelChoice{"tcg", "TCG emulation: /dev/kvm (" + host.kvm_module +
                                  ") works but the CPU has no vmx/svm flag, and a Linux guest does not boot "
                                  "under such KVM; --vm-accel kvm forces it"};
  return AccelChoice{"kvm", "KVM: the CPU has " + host.cpu_flag + " and /dev/kvm works"};
}

}  // namespace isobench::guest
