#include "primitives.hpp"

#include "bench/kernels/kernels.h"
#include "runtimes/common/clock.hpp"

namespace isobench::kvm {
namespace {

Result<void> need_kernel_mode(const GuestVm& vm, const char* what) {
  if (vm.config().mode == GuestMode::kKernel) return {};
  return fail(std::string(what) + " needs a kernel-mode (ring 0) guest; this one runs in user mode");
}

}  // namespace

Result<LifecycleSample> measure_lifecycle(KvmSystem& system, GuestMode mode, LifeUntil until) {
  LifecycleSample sample;
  const std::uint64_t heap = until == LifeUntil::kKernelResult ? ISOBENCH_HASH_WORDS * sizeof(std::uint64_t) : 0;
  auto vm = GuestVm::create(system, {.heap_bytes = heap, .mode = mode}, sample.birth);
  if (!vm) return std::unexpected(vm.error());
  {
    if (auto armed = system.watchdog().arm(kRunLimit); !armed) return std::unexpected(armed.error());
    ArmedWatchdog disarm(system.watchdog());
    if (auto ran = vm->run_to_first_exit(sample.birth); !ran) return std::unexpected(ran.error());
  }
  if (until == LifeUntil::kKernelResult) {
    const std::uint64_t words = vm->heap_base(), count = ISOBENCH_HASH_WORDS;
    auto fill = vm->call(ISOBENCH_OP_HASH_FILL, {words, count, ISOBENCH_HASH_SEED}, kRunLimit);
    if (!fill) return std::unexpected(fill.error());
    auto pass = vm->call(ISOBENCH_OP_HASH_ROUNDS, {words, count, 1}, kRunLimit);
    if (!pass) return std::unexpected(pass.error());
    sample.kernel_result_ns = fill->ns + pass->ns;
  }
  sample.vm_destroy_ns = vm->destroy();
  return sample;
}

Result<RoundTrips> measure_user_exits(GuestVm& vm, UserExit kind, std::uint32_t count) {
  if (kind == UserExit::kPortIo)
    if (auto ok = need_kernel_mode(vm, "a port I/O exit"); !ok) return std::unexpected(ok.error());
  const std::uint64_t op = kind == UserExit::kPortIo ? ISOBENCH_OP_PORT_IO_LOOP : ISOBENCH_OP_MMIO_LOOP;
  const std::uint32_t expected = kind == UserExit::kPortIo ? KVM_EXIT_IO : KVM_EXIT_MMIO;
  if (auto started = vm.restart_with(op); !started) return std::unexpected(started.error());
  KvmSystem& system = vm.system();
  if (auto armed = system.watchdog().arm(kRunLimit); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm(system.watchdog());
  KvmVcpu& vcpu = vm.vcpu();
  const kvm_run& state = vcpu.state();
  // The first exit comes after the guest's loop is set up: take it outside the window.
  auto first = vcpu.run();
  if (!first) return std::unexpected(first.error());
  if (*first != expected) return fail(std::string(op_name(op)) + ": first exit was " + describe_exit(state));
  std::uint32_t done = 0;
  bool unexpected_exit = false;
  std::int64_t start = monotonic_ns();
  for (; done < count; ++done) {
    auto exit = vcpu.run();
    if (!exit) return std::unexpected(exit.error());
    if (*exit != expected) {
      unexpected_exit = true;
      break;
    }
  }
  std::int64_t end = monotonic_ns();
  if (unexpected_exit)
    return fail(std::string(op_name(op)) + ": exit " + std::to_string(done + 1) + " was " + describe_exit(state));
  if (kind == UserExit::kPortIo && state.io.port != ISOBENCH_GUEST_PORT)
    return fail(std::string(op_name(op)) + ": exit was " + describe_exit(state));
  if (kind == UserExit::kMmio && (state.mmio.phys_addr != ISOBENCH_GUEST_MMIO_LOOP || !state.mmio.is_write))
    return fail(std::string(op_name(op)) + ": exit was " + describe_exit(state));
  // Back to the mailbox loop for whatever runs next on this VM.
  if (auto back = vm.restart_with(ISOBENCH_OP_REPORT); !back) return std::unexpected(back.error());
  auto report = vcpu.run();
  if (!report) return std::unexpected(report.error());
  return RoundTrips{end - start, count};
}

Result<RoundTrips> measure_kernel_exits(GuestVm& vm, std::uint32_t count) {
  if (auto ok = need_kernel_mode(vm, "a cpuid exit"); !ok) return std::unexpected(ok.error());
  if (count == 0) return fail("cpuid_loop needs a count of at least 1");
  auto call = vm.call(ISOBENCH_OP_CPUID_LOOP, {count}, kRunLimit);
  if (!call) return std::unexpected(call.error());
  return RoundTrips{call->ns, count};
}

Result<std::int64_t> measure_hlt_exit(GuestVm& vm) {
  if (auto ok = need_kernel_mode(vm, "a hlt exit"); !ok) return std::unexpected(ok.error());
  if (auto started = vm.restart_with(ISOBENCH_OP_HLT); !started) return std::unexpected(started.error());
  KvmSystem& system = vm.system();
  if (auto armed = system.watchdog().arm(kRunLimit); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm(system.watchdog());
  std::int64_t start = monotonic_ns();
  auto exit = vm.vcpu().run();
  std::int64_t end = monotonic_ns();
  if (!exit) return std::unexpected(exit.error());
  if (*exit != KVM_EXIT_HLT) return fail("hlt: exit was " + describe_exit(vm.vcpu().state()));
  // Resumed after hlt, the guest reports.
  auto report = vm.vcpu().run();
  if (!report) return std::unexpected(report.error());
  return end - start;
}

Result<ComputeSample> measure_compute(GuestVm& vm, std::uint32_t iterations, std::uint32_t seed) {
  if (iterations == 0) return fail("compute_loop needs at least 1 iteration");
  auto call = vm.call(ISOBENCH_OP_COMPUTE_LOOP, {seed, iterations}, kRunLimit);
  if (!call) return std::unexpected(call.error());
  std::int64_t start = monotonic_ns();
  std::uint32_t host_value = isobench_compute_loop(seed, iterations);
  std::int64_t end = monotonic_ns();
  auto guest_value = static_cast<std::uint32_t>(call->result);
  if (guest_value != host_value)
    return fail("compute_loop: the guest computed " + std::to_string(guest_value) + ", the host " +
                std::to_string(host_value) + " for the same " + std::to_string(iterations) + " iterations");
  return ComputeSample{call->ns, end - start, iterations};
}

}  // namespace isobench::kvm
