// The KVM device (/dev/kvm): opened once per session, checked for the API version and
// the capabilities the micro-VMM relies on. VMs are created from it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>

#include "runtimes/common/error.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "run_watchdog.hpp"

namespace isobench::kvm {

inline constexpr const char* kDefaultDevice = "/dev/kvm";

// Debian 12's uapi headers declare kvm_cpuid2's entries with __DECLARE_FLEX_ARRAY, whose
// empty struct takes a byte in C++: sizeof(kvm_cpuid2) is 12 here and 8 in C, and the
// ioctl numbers encode that size (KVM answers EINVAL). These are the kernel's numbers; the
// entries start 8 bytes into the buffer, as in C.
inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, std::uint64_t);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, std::uint64_t);

class KvmSystem {
 public:
  // Opens `device`, checks KVM_GET_API_VERSION and KVM_CAP_USER_MEMORY, reads the size
  // of the vCPU's kvm_run mapping and creates this thread's KVM_RUN watchdog.
  // Errors name the device and the step: "open `/dev/kvm`: No such file or directory".
  static Result<KvmSystem> open(const std::filesystem::path& device);

  int fd() const { return fd_.get(); }
  const std::string& device() const { return device_; }
  int api_version() const { return api_version_; }
  std::size_t vcpu_mmap_size() const { return vcpu_mmap_size_; }
  // KVM_CHECK_EXTENSION: 0 when absent, a positive value (often a count) when present.
  Result<int> check_extension(long capability) const;
  RunWatchdog& watchdog() { return watchdog_; }

  // KVM_GET_SUPPORTED_CPUID, asked once and kept: a new vCPU is given these entries.
  Result<const kvm_cpuid2*> supported_cpuid() const;

 private:
  KvmSystem(UniqueFd fd, std::string device, int api_version, std::size_t vcpu_mmap_size, RunWatchdog watchdog)
      : fd_(std::move(fd)), device_(std::move(device)), api_version_(api_version),
        vcpu_mmap_size_(vcpu_mmap_size), watchdog_(std::move(watchdog)) {}

  UniqueFd fd_;
  std::string device_;
  int api_version_ = 0;
  std::size_t vcpu_mmap_size_ = 0;
  RunWatchdog watchdog_;
  mutable std::vector<std::uint64_t> cpuid_;  // a kvm_cpuid2 and its entries, 8-byte aligned
};

// The one stable KVM API version (12) since Linux 2.6.22; anything else is a kernel
// this VMM does not speak to.
Result<void> check_api_version(int reported, const std::string& device);

}  // namespace isobench::kvm
