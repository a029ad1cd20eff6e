// isobench-kvm-check: the kvm backend's figures on this host's /dev/kvm, as one JSON line
// per figure, with no harness around it (a static binary: it runs as is in the nested
// guest of scripts/test-kvm-nested-svm, and on any host). Medians of a few runs; bench's
// hypervisor, cpu and mem suites are the measurement, this is the check that each path
// (user and kernel mode, every exit) works on a hypervisor and what it roughly costs.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "runtimes/kvm/guest_kernels.hpp"
#include "runtimes/kvm/hypervisor_facts.hpp"
#include "runtimes/kvm/primitives.hpp"

using namespace isobench::kvm;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

void line(const std::string& what, const std::string& mode, double value, const char* unit, const HypervisorFacts& f) {
  std::printf("{\"figure\":\"%s\",\"guest_mode\":\"%s\",\"value\":%.6g,\"unit\":\"%s\",\"hypervisor\":\"%s\"}\n",
              what.c_str(), mode.c_str(), value, unit, f.hypervisor().c_str());
}

int failures = 0;
void failed(const std::string& what, const isobench::Error& e) {
  std::printf("{\"figure\":\"%s\",\"error\":\"%s\"}\n", what.c_str(), e.describe().c_str());
  ++failures;
}

}  // namespace

int main() {
  HypervisorFacts facts = read_hypervisor_facts();
  auto system = KvmSystem::open(kDefaultDevice);
  if (!system) {
    std::printf("{\"error\":\"%s\"}\n", system.error().describe().c_str());
    return 1;
  }
  std::vector<GuestMode> modes = {GuestMode::kUser};
  if (facts.native_guest_mode() == GuestMode::kKernel) modes.push_back(GuestMode::kKernel);
  for (GuestMode mode : modes) {
    const std::string m = to_string(mode);
    std::vector<double> life;
    for (int i = 0; i < 11; ++i) {
      auto sample = measure_lifecycle(*system, mode);
      if (!sample) { failed("create_to_first_exit", sample.error()); break; }
      life.push_back(sample->birth.create_to_first_exit_ns() / 1e3);
    }
    if (!life.empty()) line("create_to_first_exit", m, median(life), "us", facts);
    BirthTimes ignored;
    auto vm = GuestVm::create(*system, {.heap_bytes = hash_heap_bytes(), .mode = mode}, ignored);
    if (!vm) { failed("vm", vm.error()); continue; }
    if (auto armed = system->watchdog().arm(kRunLimit); !armed) return 1;
    if (auto first = vm->run_to_first_exit(ignored); !first) { failed("first_exit", first.error()); continue; }
    system->watchdog().disarm();
    if (auto check = check_native(*vm)) line("hash_guest_to_host", m, check->ratio, "ratio", facts);
    else failed("hash_guest_to_host", check.error());
    if (auto compute = measure_compute(*vm, 1'000'000, 7)) line("compute_loop_guest_to_host", m, compute->guest_to_host(), "ratio", facts);
    else failed("compute_loop", compute.error());
    if (auto trips = measure_user_exits(*vm, UserExit::kMmio, 200)) line("exit_mmio", m, trips->ns_per_exit() / 1e3, "us", facts);
    else failed("exit_mmio", trips.error());
    if (mode != GuestMode::kKernel) continue;
    if (auto trips = measure_user_exits(*vm, UserExit::kPortIo, 200)) line("exit_port_io", m, trips->ns_per_exit() / 1e3, "us", facts);
    else failed("exit_port_io", trips.error());
    if (auto trips = measure_kernel_exits(*vm, 2000)) line("exit_cpuid", m, trips->ns_per_exit() / 1e3, "us", facts);
    else failed("exit_cpuid", trips.error());
    if (auto ns = measure_hlt_exit(*vm)) line("exit_hlt", m, *ns / 1e3, "us", facts);
    else failed("exit_hlt", ns.error());
  }
  return failures == 0 ? 0 : 1;
}
