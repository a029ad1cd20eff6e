// What the kvm backend's rows in one suite share: /dev/kvm opened on first use, the VMs
// each row keeps for the run (created outside every measured window), the run's check
// that the guest executes the host's instructions natively, and the attributes every row
// carries: hypervisor (pvm, kvm_intel, kvm_amd), guest_mode (user, kernel), the guest's
// and the host's page sizes, the host's THP mode, and emulated / emulated_why.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "bench/results/emulation.hpp"
#include "runtimes/kvm/guest_kernels.hpp"
#include "runtimes/kvm/hypervisor_facts.hpp"
#include "runtimes/kvm/kvm_system.hpp"
#include "runtimes/kvm/primitives.hpp"

namespace isobench {

class KvmSession {
 public:
  KvmSession(std::filesystem::path device, kvm::HypervisorFacts facts);

  kvm::GuestMode mode() const { return facts_.native_guest_mode(); }
  const kvm::HypervisorFacts& facts() const { return facts_; }
  Result<kvm::KvmSystem*> system();

  // The VM named `key`, created with `config` (mode = this host's native mode) on first use.
  Result<kvm::GuestVm*> vm(const std::string& key, kvm::GuestVmConfig config);

  // The hash kernel's guest/host ratio, measured once per session in a VM of its own.
  Result<kvm::NativeCheck> native_check();

  // hypervisor, guest_mode, nested, guest_pages, host_pages, host_thp; with `judge`,
  // also emulated / emulated_why from native_check(), by the emulation rule's threshold
  // (results::kEmulatedComputeRatio).
  nlohmann::json attributes(kvm::GuestPages pages, kvm::HostPages host, bool judge = true);

 private:
  std::filesystem::path device_;
  kvm::HypervisorFacts facts_;
  std::optional<kvm::KvmSystem> system_;
  std::map<std::string, kvm::GuestVm> vms_;  // destroyed before system_ (declared after)
  std::optional<Result<kvm::NativeCheck>> native_;
};

// The host's transparent huge page mode: "always", "madvise", "never" or "unknown".
std::string host_thp_mode();

// The pages a kvm row uses to match what the workload's own allocation gets on this
// host: 2 MiB where THP is "always", else 4 KiB; host memory left to the kernel's default.
kvm::GuestPages default_allocation_pages();

}  // namespace isobench
