#include "runsc_platform.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "runtimes/common/unique_fd.hpp"

namespace isobench {

Result<RunscPlatform> parse_runsc_platform(std::string_view name) {
  if (name == "ptrace") return RunscPlatform::kPtrace;
  if (name == "kvm") return RunscPlatform::kKvm;
  return fail("runsc platform `" + std::string(name) + "`: expected ptrace or kvm");
}

std::string to_string(RunscPlatform platform) { return platform == RunscPlatform::kKvm ? "kvm" : "ptrace"; }

Result<std::vector<std::string>> runsc_launch_flags(RunscPlatform platform, const NetworkAttachment& network) {
  std::vector<std::string> flags = {"--platform=" + to_string(platform)};
  using Kind = NetworkAttachment::Kind;
  switch (network.kind) {
    case Kind::kOwn: flags.push_back("--network=none"); break;
    case Kind::kJoin: flags.push_back("--network=sandbox"); break;
    case Kind::kHost: flags.push_back("--network=host"); break;
    case Kind::kTap: return fail("a tap device is for guests");
  }
  return flags;
}

Availability kvm_device_usable(const std::filesystem::path& device) {
  UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
  if (!fd)
    return Availability::no("--runsc-platform kvm: " + Error::from_errno("open " + in_quotes(device.string())).describe() +
                            " (use --runsc-platform ptrace)");
  return Availability::yes();
}

bool host_kvm_is_pvm(const std::filesystem::path& sys_module) {
  return ::access((sys_module / "kvm_pvm").c_str(), F_OK) == 0;
}

}  // namespace isobench
