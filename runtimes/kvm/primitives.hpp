// The hypervisor layer's primitives, each measured with CLOCK_MONOTONIC around the
// ioctls alone: no allocation and no logging inside a measured window. Every KVM_RUN is
// bounded by the thread's watchdog (armed outside the window), so none can hang.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>

#include "runtimes/common/error.hpp"
#include "guest_vm.hpp"
#include "kvm_system.hpp"

namespace isobench::kvm {

// How long one measurement may keep a vCPU in KVM_RUN before it is abandoned.
inline constexpr std::chrono::seconds kRunLimit{10};

struct LifecycleSample {
  BirthTimes birth;
  // With a kernel: filling the hash kernel's 1 MiB and one pass over it, the first result
  // a workload kernel gives in a new VM (first touches of its memory included).
  std::int64_t kernel_result_ns = 0;
  std::int64_t vm_destroy_ns = 0;  // vCPU fd + kvm_run, VM fd, guest RAM released
};

enum class LifeUntil { kFirstExit, kKernelResult };

// A whole VM life: create, memory slots, vCPU, first instruction to its exit, (the first
// kernel result,) destroy.
Result<LifecycleSample> measure_lifecycle(KvmSystem& system, GuestMode mode, LifeUntil until = LifeUntil::kFirstExit);

struct RoundTrips {
  std::int64_t total_ns = 0;
  std::uint32_t count = 0;
  double ns_per_exit() const { return count == 0 ? 0 : static_cast<double>(total_ns) / count; }
};

enum class UserExit { kPortIo, kMmio };

// `count` KVM_RUN calls on the MMIO or port I/O loop, each coming back with one exit to
// user space: guest -> KVM -> VMM -> KVM -> guest. Port I/O needs a kernel-mode guest.
Result<RoundTrips> measure_user_exits(GuestVm& vm, UserExit kind, std::uint32_t count);

// One KVM_RUN of `count` cpuid instructions, each an exit answered inside the kernel
// (guest -> KVM -> guest), then the report. Needs a kernel-mode guest: PVM runs only user
// mode natively.
Result<RoundTrips> measure_kernel_exits(GuestVm& vm, std::uint32_t count);

// One KVM_RUN of hlt: the guest halts, KVM returns KVM_EXIT_HLT (no irqchip). Kernel mode.
Result<std::int64_t> measure_hlt_exit(GuestVm& vm);

struct ComputeSample {
  std::int64_t guest_ns = 0;  // KVM_RUN of the loop, entry to the report exit
  std::int64_t host_ns = 0;   // isobench_compute_loop on the host, same iterations
  std::uint32_t iterations = 0;
  double guest_to_host() const { return host_ns == 0 ? 0 : static_cast<double>(guest_ns) / host_ns; }
};

// The same loop in the guest and on the host, one after the other; fails when the
// guest's result differs from the host's (the guest did not run the loop).
Result<ComputeSample> measure_compute(GuestVm& vm, std::uint32_t iterations, std::uint32_t seed);

// A loop count for which `measure(count)` (nanoseconds) takes about `target`, and at
// least `min_count` so that one entry and exit stay a small part of the run: guest
// code speed differs by orders of magnitude between hardware KVM and an emulated guest.
// The first call warms up and is not used.
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
