#include "guest_vm.hpp"

#include <optional>

#include "runtimes/common/clock.hpp"
#include "guest_image.hpp"

namespace isobench::kvm {
namespace {

// As after a `call`: RSP + 8 is 16-byte aligned at the entry of a C function.
constexpr std::uint64_t kEntryRsp = ISOBENCH_GUEST_STACK_TOP - 8;

}  // namespace

const char* op_name(std::uint64_t op) {
  switch (op) {
    case ISOBENCH_OP_REPORT: return "report";
    case ISOBENCH_OP_HASH_FILL: return "hash_fill";
    case ISOBENCH_OP_HASH_ROUNDS: return "hash_rounds";
    case ISOBENCH_OP_TRIAD_FILL: return "triad_fill";
    case ISOBENCH_OP_TRIAD: return "triad";
    case ISOBENCH_OP_CHASE_BUILD: return "chase_build";
    case ISOBENCH_OP_CHASE: return "chase";
    case ISOBENCH_OP_RANDOM_FILL: return "random_fill";
    case ISOBENCH_OP_RANDOM: return "random";
    case ISOBENCH_OP_TOUCH: return "touch";
    case ISOBENCH_OP_COMPUTE_LOOP: return "compute_loop";
    case ISOBENCH_OP_MMIO_LOOP: return "mmio_loop";
    case ISOBENCH_OP_SPIN: return "spin";
    case ISOBENCH_OP_PORT_IO_LOOP: return "port_io_loop";
    case ISOBENCH_OP_CPUID_LOOP: return "cpuid_loop";
    case ISOBENCH_OP_HLT: return "hlt";
    default: return "unknown";
  }
}

Result<const ElfImage*> guest_image() {
  static const Result<ElfImage> image = parse_elf(embedded_guest_elf(), "the embedded kvm guest image");
  if (!image) return std::unexpected(image.error());
  return &*image;
}

Result<GuestVm> GuestVm::create(KvmSystem& system, const GuestVmConfig& config, BirthTimes& times) {
  auto image = guest_image();
  if (!image) return std::unexpected(image.error());
  std::int64_t start = monotonic_ns();
  auto vm = KvmVm::create(system);
  if (!vm) return std::unexpected(vm.error());
  std::int64_t vm_created = monotonic_ns();

  auto memory = GuestMemory::create(**image, config.heap_bytes, config.pages, config.host_pages);
  if (!memory) return std::unexpected(memory.error());
  auto* box = reinterpret_cast<volatile isobench_guest_mailbox*>(memory->at(ISOBENCH_GUEST_MAILBOX));
  box->op = ISOBENCH_OP_REPORT;
  box->done = 0;
  if (auto low = vm->set_memory_slot(0, 0, memory->host_base(), ISOBENCH_GUEST_LOW_BYTES); !low)
    return std::unexpected(low.error());
  if (auto ram = vm->set_memory_slot(1, ISOBENCH_GUEST_RAM_BASE, memory->at(ISOBENCH_GUEST_RAM_BASE),
                                     memory->layout().total_bytes - ISOBENCH_GUEST_RAM_BASE);
      !ram)
    return std::unexpected(ram.error());
  std::int64_t memory_ready = monotonic_ns();

  auto vcpu = KvmVcpu::create(*vm, system, 0);
  if (!vcpu) return std::unexpected(vcpu.error());
  if (auto cpuid = vcpu->set_cpuid(system); !cpuid) return std::unexpected(cpuid.error());
  auto sregs = vcpu->special_registers();
  if (!sregs) return std::unexpected(sregs.error());
  set_long_mode(*sregs, config.mode, memory->cr3());
  if (auto set = vcpu->set_special_registers(*sregs); !set)
    return fail("64-bit " + std::string(to_string(config.mode)) + " mode: " + set.error().describe());
  if (auto set = vcpu->set_entry((*image)->entry, kEntryRsp); !set) return std::unexpected(set.error());
  std::int64_t vcpu_created = monotonic_ns();

  times.vm_create_ns = vm_created - start;
  times.memory_slot_ns = memory_ready - vm_created;
  times.vcpu_create_ns = vcpu_created - memory_ready;
  return GuestVm(system, config, std::move(*memory), std::move(*vm), std::move(*vcpu), (*image)->entry);
}

Result<void> GuestVm::check_report(std::uint64_t op) const {
  const kvm_run& run = vcpu_.state();
  if (run.exit_reason == KVM_EXIT_MMIO && run.mmio.is_write && run.mmio.phys_addr == ISOBENCH_GUEST_REPORT) return {};
  std::string what = describe_exit(run);
  if (run.exit_reason == KVM_EXIT_SHUTDOWN)
    what += ": the guest faulted with no handler (a broken page table, or an instruction its " +
            std::string(to_string(config_.mode)) + " mode may not run)";
  return fail(std::string("kvm guest running ") + op_name(op) + " exited with " + what + ", not its report");
}

Result<void> GuestVm::run_to_first_exit(BirthTimes& times) {
  std::int64_t start = monotonic_ns();
  auto exit = vcpu_.run();
  std::int64_t end = monotonic_ns();
  if (!exit) return std::unexpected(exit.error());
  if (auto ok = check_report(ISOBENCH_OP_REPORT); !ok) return ok;
  times.first_exit_ns = end - start;
  return {};
}

Result<GuestCall> GuestVm::call(std::uint64_t op, std::array<std::uint64_t, 6> args, std::chrono::nanoseconds limit) {
  volatile isobench_guest_mailbox& box = mailbox();
  box.op = op;
  for (std::size_t i = 0; i < args.size(); ++i) box.arg[i] = args[i];
  const std::uint64_t done_before = box.done;
  if (auto armed = system_->watchdog().arm(limit); !armed) return std::unexpected(armed.error());
  ArmedWatchdog disarm(system_->watchdog());
  std::int64_t start = monotonic_ns();
  auto exit = vcpu_.run();
  std::int64_t end = monotonic_ns();
  if (!exit) return fail(std::string("kvm guest running ") + op_name(op) + ": " + exit.error().describe());
  if (auto ok = check_report(op); !ok) return std::unexpected(ok.error());
  if (box.done != done_before + 1)
    return fail(std::string("kvm guest running ") + op_name(op) + " reported without finishing it");
  return GuestCall{end - start, box.result};
}

Result<void> GuestVm::restart_with(std::uint64_t op) {
  if (auto done = vcpu_.complete_pending_io(); !done) return done;
  mailbox().op = op;
  return vcpu_.set_entry(entry_, kEntryRsp);
}

std::int64_t GuestVm::destroy() {
  std::int64_t start = monotonic_ns();
  { KvmVcpu gone = std::move(vcpu_); }
  { KvmVm gone = std::move(vm_); }
  { GuestMemory gone = std::move(memory_); }
  return monotonic_ns() - start;
}

}  // namespace isobench::kvm
