#include "kvm_system.hpp"

#include <fcntl.h>
#include <cerrno>
#include <linux/kvm.h>
#include <sys/ioctl.h>

namespace isobench::kvm {

Result<void> check_api_version(int reported, const std::string& device) {
  if (reported == KVM_API_VERSION) return {};
  return fail("KVM_GET_API_VERSION on " + in_quotes(device) + " returned " + std::to_string(reported) +
              ", isobench speaks version " + std::to_string(KVM_API_VERSION));
}

Result<KvmSystem> KvmSystem::open(const std::filesystem::path& device) {
  const std::string path = device.string();
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return fail_errno("open " + in_quotes(path));
  int version = ::ioctl(fd.get(), KVM_GET_API_VERSION, 0);
  if (version < 0) return fail_errno("KVM_GET_API_VERSION on " + in_quotes(path));
  if (auto ok = check_api_version(version, path); !ok) return std::unexpected(ok.error());
  if (::ioctl(fd.get(), KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) <= 0)
    return fail("KVM on " + in_quotes(path) + " lacks KVM_CAP_USER_MEMORY");
  int mmap_size = ::ioctl(fd.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (mmap_size < static_cast<int>(sizeof(kvm_run)))
    return fail_errno("KVM_GET_VCPU_MMAP_SIZE on " + in_quotes(path), mmap_size < 0 ? errno : EINVAL);
  auto watchdog = RunWatchdog::create();
  if (!watchdog) return std::unexpected(watchdog.error());
  return KvmSystem(std::move(fd), path, version, static_cast<std::size_t>(mmap_size), std::move(*watchdog));
}

Result<const kvm_cpuid2*> KvmSystem::supported_cpuid() const {
  if (cpuid_.empty()) {
    // KVM says E2BIG until the buffer holds every entry; 256 has been enough on every CPU.
    // Asking with 256 at once spares a refused call: 0.25 ms here (75 entries), paid by
    // every microvm launch.
    for (std::uint32_t entries = 256; entries <= 4096; entries *= 2) {
      std::vector<std::uint64_t> buffer(1 + entries * sizeof(kvm_cpuid_entry2) / 8);
      auto* cpuid = reinterpret_cast<kvm_cpuid2*>(buffer.data());
      cpuid->nent = entries;
      if (::ioctl(fd_.get(), kGetSupportedCpuid, buffer.data()) == 0) {
        cpuid_ = std::move(buffer);
        break;
      }
      if (errno != E2BIG) return fail_errno("KVM_GET_SUPPORTED_CPUID on " + in_quotes(device_));
    }
    if (cpuid_.empty()) return fail("KVM_GET_SUPPORTED_CPUID on " + in_quotes(device_) + ": more than 4096 entries");
  }
  return reinterpret_cast<const kvm_cpuid2*>(cpuid_.data());
}

Result<int> KvmSystem::check_extension(long capability) const {
  int value = ::ioctl(fd_.get(), KVM_CHECK_EXTENSION, capability);
  if (value < 0) return fail_errno("KVM_CHECK_EXTENSION " + std::to_string(capability) + " on " + in_quotes(device_));
  return value;
}

}  // namespace isobench::kvm
