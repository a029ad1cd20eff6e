#include "hypervisor_facts.hpp"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "kvm_system.hpp"
#include "primitives.hpp"

namespace isobench::kvm {
namespace {

bool has_flag(const std::string& flags_line, const std::string& flag) {
  std::istringstream words(flags_line);
  std::string word;
  while (words >> word)
    if (word == flag) return true;
  return false;
}

std::string why_unopenable(const std::string& device, const Error& error, const HypervisorFacts& facts) {
  std::string reason = error.describe();
  switch (error.errno_value) {
    case ENOENT:
      if (facts.module == "kvm_pvm")
        return reason + ": the kernel has kvm_pvm but registered no KVM device (kvm_pvm does not bind when the "
                        "kernel itself runs under PVM; see `dmesg | grep kvm-pvm`)";
      if (facts.cpu_flag == "none")
        return reason + ": the CPU shows no vmx/svm flag (enable virtualization in the firmware, or nested "
                        "virtualization on the outer hypervisor)";
      return reason + ": load " + (facts.cpu_flag == "vmx" ? std::string("kvm_intel") : std::string("kvm_amd")) +
             " (modprobe)";
    case EACCES:
    case EPERM: return reason + ": run as root or add the user to the group owning " + in_quotes(device);
    case ENOTTY: return reason + ": " + in_quotes(device) + " is not a KVM device";
    case ENODEV:
    case ENXIO: return reason + ": the device node exists but no KVM driver is bound to it";
    default: return reason;
  }
}

}  // namespace

std::string HypervisorFacts::describe() const {
  std::string out = module;
  if (module == "kvm_pvm") out += " (paravirtual KVM";
  else if (module == "kvm_intel" || module == "kvm_amd") out += " (hardware KVM";
  else out += " (no KVM module";
  out += cpu_flag == "none" ? "; no vmx/svm" : "; cpu " + cpu_flag;
  if (host_is_guest) out += "; nested: the host is itself a VM";
  return out + ")";
}

HypervisorFacts read_hypervisor_facts(const std::filesystem::path& sys_module, const std::filesystem::path& cpuinfo) {
  HypervisorFacts facts;
  std::error_code ec;
  for (const char* module : {"kvm_intel", "kvm_amd", "kvm_pvm"}) {
    if (std::filesystem::exists(sys_module / module, ec)) {
      facts.module = module;
      break;
    }
  }
  std::ifstream in(cpuinfo);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.starts_with("flags")) continue;
    if (has_flag(line, "vmx")) facts.cpu_flag = "vmx";
    else if (has_flag(line, "svm")) facts.cpu_flag = "svm";
    facts.host_is_guest = has_flag(line, "hypervisor");
    break;
  }
  return facts;
}

KvmProbe probe_kvm(const std::filesystem::path& device, const HypervisorFacts& facts) {
  KvmProbe probe;
  auto system = KvmSystem::open(device);
  if (!system) {
    probe.availability = Availability::no(why_unopenable(device.string(), system.error(), facts));
    return probe;
  }
  probe.api_version = system->api_version();
  auto lifecycle = measure_lifecycle(*system, facts.native_guest_mode());
  if (!lifecycle) {
    probe.availability = Availability::no("KVM on " + in_quotes(device.string()) + " (" + facts.describe() +
                                          ") cannot run a 64-bit " + to_string(facts.native_guest_mode()) +
                                          "-mode guest: " + lifecycle.error().describe());
    return probe;
  }
  probe.availability = Availability::yes();
  return probe;
}

}  // namespace isobench::kvm
