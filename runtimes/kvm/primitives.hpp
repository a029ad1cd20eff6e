// The hypervisor layer's primitives, each measured with CLOCK_MONOTONIC around the
// ioctls alone: no allocation and no logging inside a measured window. Every function
// arms the thread's KVM_RUN watchdog (outside the window), so none can hang.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "runtimes/common/error.hpp"
#include "kvm_system.hpp"
#include "micro_vm.hpp"

namespace isobench::kvm {

// How long one measurement may keep a vCPU in KVM_RUN before it is abandoned.
inline constexpr std::chrono::seconds kRunLimit{10};

struct LifecycleSample {
  BirthTimes birth;
  std::int64_t vm_destroy_ns = 0;  // vCPU fd + kvm_run, VM fd, guest RAM released
};

// A whole VM life: create, memory slot, vCPU, first instruction to its exit, destroy.
Result<LifecycleSample> measure_lifecycle(KvmSystem& system);

struct RoundTrips {
  std::int64_t total_ns = 0;
  std::uint32_t count = 0;
  double ns_per_exit() const { return count == 0 ? 0 : static_cast<double>(total_ns) / count; }
};

enum class UserExit { kPortIo, kMmio };

// `count` KVM_RUN calls on io_loop or mmio_loop, each coming back with one exit to user
// space: guest -> KVM -> VMM -> KVM -> guest.
Result<RoundTrips> measure_user_exits(KvmSystem& system, MicroVm& vm, UserExit kind, std::uint32_t count);

// One KVM_RUN of cpuid_loop: `count` cpuid exits answered inside the kernel (guest ->
// KVM -> guest), plus the one port exit that ends the loop.
Result<RoundTrips> measure_kernel_exits(KvmSystem& system, MicroVm& vm, std::uint32_t count);

struct ComputeSample {
  std::int64_t guest_ns = 0;  // KVM_RUN of compute_loop, entry to the final exit
  std::int64_t host_ns = 0;   // host_compute_loop, same iterations
  std::uint32_t iterations = 0;
  double guest_to_host() const { return host_ns == 0 ? 0 : static_cast<double>(guest_ns) / host_ns; }
};

// The same loop in the guest and on the host, one after the other; fails when the
// guest's result differs from the host's (the guest did not run the loop).
Result<ComputeSample> measure_compute(KvmSystem& system, MicroVm& vm, std::uint32_t iterations, std::uint32_t seed);

// A loop count for which `measure(count)` (nanoseconds) takes about `target`, and at
// least `min_count` so that one entry and exit stay a small part of the run: guest
// code speed differs by orders of magnitude between hardware KVM and a paravirtual
// one that emulates real mode. The first call warms up and is not used.
template <class Measure>
Result<std::uint32_t> calibrate_count(Measure&& measure, std::chrono::nanoseconds target, std::uint32_t min_count = 1) {
  std::uint64_t count = 16;
  if (Result<std::int64_t> warm_up = measure(static_cast<std::uint32_t>(count)); !warm_up)
    return std::unexpected(warm_up.error());
  for (;;) {
    Result<std::int64_t> ns = measure(static_cast<std::uint32_t>(count));
    if (!ns) return std::unexpected(ns.error());
    if (*ns * 8 >= target.count() || count >= (1u << 28)) {
      double scaled = static_cast<double>(count) * static_cast<double>(target.count()) / static_cast<double>(std::max<std::int64_t>(*ns, 1));
      return static_cast<std::uint32_t>(std::clamp(scaled, static_cast<double>(min_count), static_cast<double>(1u << 30)));
    }
    count *= 8;
  }
}

}  // namespace isobench::kvm
