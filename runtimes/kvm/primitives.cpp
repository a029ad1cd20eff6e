#include "primitives.hpp"

#include "runtimes/common/clock.hpp"

namespace isobench::kvm {
namespace {

Result<void> arm(KvmSystem& system) { return system.watchdog().arm(kRunLimit); }

}  // namespace

Result<LifecycleSample> measure_lifecycle(KvmSystem& system) {
  if (auto armed = arm(system); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm_at_return(system.watchdog());
  LifecycleSample sample;
  auto vm = MicroVm::create(system, sample.birth);
  if (!vm) return std::unexpected(vm.error());
  if (auto ran = vm->run_to_first_exit(sample.birth); !ran) return std::unexpected(ran.error());
  sample.vm_destroy_ns = vm->destroy();
  return sample;
}

Result<RoundTrips> measure_user_exits(KvmSystem& system, MicroVm& vm, UserExit kind, std::uint32_t count) {
  const GuestProgram& program = kind == UserExit::kPortIo ? io_loop() : mmio_loop();
  const std::uint32_t expected = kind == UserExit::kPortIo ? KVM_EXIT_IO : KVM_EXIT_MMIO;
  if (auto started = vm.start(program, {}); !started) return std::unexpected(started.error());
  // mmio_loop's first exit comes after it has set DS up: take it outside the window.
  if (kind == UserExit::kMmio) {
    if (auto armed = arm(system); !armed) return std::unexpected(armed.error());
    ArmedWatchdog disarm(system.watchdog());
    auto first = vm.vcpu().run();
    if (!first) return std::unexpected(first.error());
    if (*first != expected) return fail(std::string(program.name) + ": exit was " + describe_exit(vm.vcpu().state()));
  }
  if (auto armed = arm(system); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm(system.watchdog());
  KvmVcpu& vcpu = vm.vcpu();
  const kvm_run& state = vcpu.state();
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
    return fail(std::string(program.name) + ": exit " + std::to_string(done + 1) + " was " + describe_exit(state));
  if (kind == UserExit::kPortIo && state.io.port != kLoopPort)
    return fail(std::string(program.name) + ": exit was " + describe_exit(state));
  if (kind == UserExit::kMmio && (state.mmio.phys_addr != kMmioAddress || !state.mmio.is_write))
    return fail(std::string(program.name) + ": exit was " + describe_exit(state));
  return RoundTrips{end - start, count};
}

namespace {

// Runs a counted program (ESI = count) to its `out kDonePort`; returns the run's ns.
Result<std::int64_t> run_counted(KvmSystem& system, MicroVm& vm, const GuestProgram& program,
                                 const EntryRegisters& registers) {
  if (auto started = vm.start(program, registers); !started) return std::unexpected(started.error());
  if (auto armed = arm(system); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm(system.watchdog());
  std::int64_t start = monotonic_ns();
  auto exit = vm.vcpu().run();
  std::int64_t end = monotonic_ns();
  if (!exit) return std::unexpected(exit.error());
  const kvm_run& state = vm.vcpu().state();
  if (*exit != KVM_EXIT_IO || state.io.port != kDonePort)
    return fail(std::string(program.name) + ": exit was " + describe_exit(state) + ", expected its final `out`");
  return end - start;
}

}  // namespace

Result<RoundTrips> measure_kernel_exits(KvmSystem& system, MicroVm& vm, std::uint32_t count) {
  if (count == 0) return fail("cpuid_loop needs a count of at least 1");
  auto ns = run_counted(system, vm, cpuid_loop(), {.rax = 0, .rsi = count});
  if (!ns) return std::unexpected(ns.error());
  return RoundTrips{*ns, count};
}

Result<ComputeSample> measure_compute(KvmSystem& system, MicroVm& vm, std::uint32_t iterations, std::uint32_t seed) {
  if (iterations == 0) return fail("compute_loop needs at least 1 iteration");
  auto guest_ns = run_counted(system, vm, compute_loop(), {.rax = seed, .rsi = iterations});
  if (!guest_ns) return std::unexpected(guest_ns.error());
  auto regs = vm.vcpu().registers();
  if (!regs) return std::unexpected(regs.error());

  std::int64_t start = monotonic_ns();
  std::uint32_t host_value = host_compute_loop(seed, iterations);
  std::int64_t end = monotonic_ns();

  auto guest_value = static_cast<std::uint32_t>(regs->rax);
  if (guest_value != host_value)
    return fail("compute_loop: the guest computed " + std::to_string(guest_value) + ", the host " +
                std::to_string(host_value) + " for the same " + std::to_string(iterations) + " iterations");
  return ComputeSample{*guest_ns, end - start, iterations};
}

}  // namespace isobench::kvm
