#include "kvm_session.hpp"

#include <fstream>

#include "bench/results/format.hpp"

namespace isobench {

using namespace kvm;

KvmSession::KvmSession(std::filesystem::path device, HypervisorFacts facts)
    : device_(std::move(device)), facts_(std::move(facts)) {}

Result<KvmSystem*> KvmSession::system() {
  if (!system_) {
    auto opened = KvmSystem::open(device_);
    if (!opened) return std::unexpected(opened.error());
    system_.emplace(std::move(*opened));
  }
  return &*system_;
}

Result<GuestVm*> KvmSession::vm(const std::string& key, GuestVmConfig config) {
  if (auto it = vms_.find(key); it != vms_.end()) return &it->second;
  auto system = this->system();
  if (!system) return std::unexpected(system.error());
  config.mode = mode();
  BirthTimes ignored;
  auto created = GuestVm::create(**system, config, ignored);
  if (!created) return std::unexpected(created.error());
  if (auto armed = (*system)->watchdog().arm(kRunLimit); !armed) return std::unexpected(armed.error());
  {
    ArmedWatchdog disarm((*system)->watchdog());
    if (auto first = created->run_to_first_exit(ignored); !first) return std::unexpected(first.error());
  }
  return &vms_.emplace(key, std::move(*created)).first->second;
}

Result<NativeCheck> KvmSession::native_check() {
  if (!native_) {
    auto vm = this->vm("native_check", {.heap_bytes = hash_heap_bytes()});
    native_ = vm ? check_native(**vm) : Result<NativeCheck>(std::unexpected(vm.error()));
  }
  return *native_;
}

nlohmann::json KvmSession::attributes(GuestPages pages, HostPages host, bool judge) {
  nlohmann::json out = {{"hypervisor", facts_.hypervisor()},     {"guest_mode", to_string(mode())},
                        {"nested", facts_.host_is_guest},        {"guest_pages", to_string(pages)},
                        {"host_pages", to_string(host)},         {"host_thp", host_thp_mode()}};
  if (!judge) return out;
  auto check = native_check();
  if (!check) {
    out["emulated"] = true;
    out["emulated_why"] = "the check that the guest runs natively failed: " + check.error().describe();
    return out;
  }
  out["native_check_ratio"] = check->ratio;
  out["emulated"] = !(check->ratio < results::kEmulatedComputeRatio);
  out["emulated_why"] = "the guest's hash kernel ran at " + results::format_ratio(check->ratio) +
                        " of the same kernel on the host (" + results::format_ratio(results::kEmulatedComputeRatio) +
                        " or slower would be an emulator's)";
  return out;
}

std::string host_thp_mode() {
  std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
  std::string line;
  if (!std::getline(in, line)) return "unknown";
  auto open = line.find('['), close = line.find(']');
  if (open == std::string::npos || close == std::string::npos || close < open) return "unknown";
  return line.substr(open + 1, close - open - 1);
}

GuestPages default_allocation_pages() { return host_thp_mode() == "always" ? GuestPages::k2MiB : GuestPages::k4KiB; }

}  // namespace isobench
