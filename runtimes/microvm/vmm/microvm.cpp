#include "microvm.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "address_space.hpp"
#include "guest_files.hpp"
#include "guest_layout.h"
#include "initial_stack.hpp"
#include "runtimes/common/clock.hpp"
#include "runtimes/common/unique_fd.hpp"
#include "runtimes/kvm/kvm_system.hpp"
#include "system_calls.hpp"

namespace isobench::microvm {
namespace {

const char* vector_name(std::uint64_t vector) {
  static const char* kNames[] = {"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
                                 "invalid opcode", "device not available", "double fault", "coprocessor",
                                 "invalid TSS", "segment not present", "stack fault", "general protection",
                                 "page fault", "reserved", "x87 error", "alignment check", "machine check",
                                 "SIMD error"};
  return vector < std::size(kNames) ? kNames[vector] : "exception";
}

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// The workload's fault, in the words of a crash report: "page fault at 0x0 (rip 0x401234)".
std::string describe_fault(const AddressSpace& space, kvm::KvmVcpu& vcpu, int& signal) {
  std::uint64_t vector = 0, rip = 0, address = 0, error_code = 0;
  {
    std::memcpy(&vector, space.low(MICROVM_SUPERVISOR_DATA + MICROVM_DATA_FAULT_VECTOR), sizeof vector);
    auto regs = vcpu.registers();
    auto sregs = vcpu.special_registers();
    // The stub's stack holds the CPU's frame: [error code,] RIP, CS, RFLAGS, RSP, SS.
    const bool has_error = vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
    if (regs) std::memcpy(&rip, space.low(regs->rsp + (has_error ? 8 : 0)), sizeof rip);
    if (regs && has_error) std::memcpy(&error_code, space.low(regs->rsp), sizeof error_code);
    if (sregs) address = sregs->cr2;
  }
  signal = vector == 0 || vector == 16 || vector == 19 ? SIGFPE : vector == 6 ? SIGILL : vector == 3 ? SIGTRAP : SIGSEGV;
  std::string what = vector_name(vector);
  if (vector == 14) what += " at " + hex(address) + " (error " + hex(error_code) + ")";
  return what + " (rip " + hex(rip) + ")";
}

// The supervisor returns the way the mode it was entered in allows: check that mode once.
Result<void> check_arrival(kvm::KvmVcpu& vcpu, Supervision expected) {
  auto sregs = vcpu.special_registers();
  if (!sregs) return std::unexpected(sregs.error());
  const int want = expected == Supervision::kRing0 ? 0 : 3;
  if (sregs->cs.dpl == want) return {};
  return fail("this KVM delivers the guest's system calls in ring " + std::to_string(sregs->cs.dpl) + ", not " +
              std::to_string(want) + " as expected for it");
}

Result<kvm::ElfImage> read_elf(int fd, const std::string& path, kvm::MappedRegion& file) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return fail_errno("stat " + in_quotes(path));
  auto mapped = kvm::MappedRegion::read_only(fd, static_cast<std::size_t>(st.st_size), "the workload binary");
  if (!mapped) return std::unexpected(mapped.error().with_context(in_quotes(path)));
  file = std::move(*mapped);
  return kvm::parse_elf(std::span(file.bytes(), file.size()), in_quotes(path));
}

void write_phases(Supervision supervision, std::int64_t vm, std::int64_t memory, std::int64_t vcpu, std::int64_t elf) {
  char line[256];
  int n = std::snprintf(line, sizeof line,
                        "{\"isobench\":\"microvm\",\"supervision\":\"%s\",\"vm_created_ns\":%lld,\"memory_ns\":%lld,"
                        "\"vcpu_ns\":%lld,\"elf_loaded_ns\":%lld}\n",
                        to_string(supervision), static_cast<long long>(vm), static_cast<long long>(memory),
                        static_cast<long long>(vcpu), static_cast<long long>(elf));
  if (n > 0) (void)!::write(STDERR_FILENO, line, static_cast<std::size_t>(n));
}

}  // namespace

Result<MicrovmEnd> run_microvm(const MicrovmConfig& config) {
  auto system = kvm::KvmSystem::open(config.device);
  if (!system) return std::unexpected(system.error());
  auto vm = kvm::KvmVm::create(*system);
  if (!vm) return std::unexpected(vm.error());
  const std::int64_t vm_created = monotonic_ns();

  auto space = AddressSpace::create(MICROVM_RAM_BASE + config.memory_bytes);
  if (!space) return std::unexpected(space.error());
  install_supervisor(space->low(0), config.supervision, static_cast<std::uint32_t>(::getpid()));
  if (auto low = vm->set_memory_slot(0, 0, space->host_base(), MICROVM_LOW_BYTES); !low) return std::unexpected(low.error());
  space->attach(*vm);
  const std::int64_t memory_ready = monotonic_ns();

  auto vcpu = kvm::KvmVcpu::create(*vm, *system, 0);
  if (!vcpu) return std::unexpected(vcpu.error());
  if (auto cpuid = vcpu->set_cpuid(*system); !cpuid) return std::unexpected(cpuid.error());
  const std::int64_t vcpu_ready = monotonic_ns();

  UniqueFd elf_fd(::open(config.binary.c_str(), O_RDONLY | O_CLOEXEC));
  if (!elf_fd) return fail_errno("open " + in_quotes(config.binary));
  kvm::MappedRegion file;
  auto image = read_elf(elf_fd.get(), config.binary, file);
  if (!image) return std::unexpected(image.error());
  if (auto loaded = space->load(*image, elf_fd.get()); !loaded) return std::unexpected(loaded.error());
  auto rsp = build_initial_stack(*space, *image, config.argv, config.envp);
  if (!rsp) return std::unexpected(rsp.error());
  if (auto state = set_initial_state(*vcpu, MICROVM_PAGE_TABLES, image->entry, *rsp); !state)
    return std::unexpected(state.error());
  if (auto clock = set_guest_clock(*vcpu, space->low(0)); !clock) return std::unexpected(clock.error());
  file.reset();
  elf_fd.reset();
  const std::int64_t elf_loaded = monotonic_ns();
  write_phases(config.supervision, vm_created, memory_ready, vcpu_ready, elf_loaded);

  GuestFiles files(config.binary, config.writable_dir, config.writable_host_dir);
  GuestProcess process{.space = *space, .files = files, .vcpu = *vcpu, .exit_code = {}, .fatal_signal = {}, .unsupported = {}, .calls = 0};
  auto* data = reinterpret_cast<std::uint64_t*>(space->low(MICROVM_SUPERVISOR_DATA));
  MicrovmEnd end;
  for (;;) {
    auto exit = vcpu->run();
    if (!exit) return std::unexpected(exit.error());
    const kvm_run& run = vcpu->state();
    if (*exit == KVM_EXIT_MMIO && run.mmio.is_write && run.mmio.phys_addr == MICROVM_EXIT_SYSCALL) {
      std::uint64_t number = 0;
      std::memcpy(&number, run.mmio.data, sizeof number);
      if (process.calls == 0)
        if (auto arrived = check_arrival(*vcpu, config.supervision); !arrived) return std::unexpected(arrived.error());
      std::array<std::uint64_t, 6> args;
      std::memcpy(args.data(), data + MICROVM_DATA_ARGS / 8, sizeof args);
      const std::size_t unsupported_before = process.unsupported.size();
      const std::int64_t result = perform_system_call(process, number, args);
      if (process.unsupported.size() > unsupported_before)
        // Said at once, before the workload reacts to ENOSYS: its own result line (an
        // error, or a success the run must not count) comes after this one.
        std::fprintf(stderr, "isobench-microvm: the workload made a system call this VMM does not perform: %s\n",
                     process.unsupported.back().c_str());
      if (process.exit_code) {
        end.exit_code = *process.exit_code;
        break;
      }
      if (process.fatal_signal) {
        end.signal = *process.fatal_signal;
        end.why = std::string("the workload sent itself signal ") + ::sigabbrev_np(end.signal);
        break;
      }
      data[MICROVM_DATA_RESULT / 8] = static_cast<std::uint64_t>(result);
      continue;
    }
    if (*exit == KVM_EXIT_MMIO && run.mmio.phys_addr == MICROVM_EXIT_FAULT) {
      end.why = "the workload faulted: " + describe_fault(*space, *vcpu, end.signal);
      break;
    }
    return fail("the guest left with " + kvm::describe_exit(run) +
                (*exit == KVM_EXIT_SHUTDOWN ? " (a triple fault: the workload broke the supervisor's state)" : ""));
  }
  return end;
}

}  // namespace isobench::microvm
