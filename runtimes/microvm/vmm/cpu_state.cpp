#include "cpu_state.hpp"

#include <sys/ioctl.h>

#include <time.h>

#include <cstddef>
#include <cstdio>
#include <cstring>

#include "guest_layout.h"
#include "runtimes/kvm/long_mode.hpp"

extern "C" const std::byte isobench_microvm_supervisor[];
extern "C" const std::byte isobench_microvm_supervisor_end[];

namespace isobench::microvm {
namespace {

constexpr std::uint32_t kMsrTsc = 0x10, kMsrFsBase = 0xc0000100, kMsrStar = 0xc0000081, kMsrLstar = 0xc0000082,
                        kMsrSyscallMask = 0xc0000084;
// Segment selectors as Linux lays them out (a PVM host's user CS is its own __USER_CS,
// 0x33, so the guest's must be too): kernel code 0x10, kernel data 0x18,
// user32 code 0x23, user data 0x2b, user code 0x33, TSS 0x40.
constexpr std::uint64_t kStar = (0x23ull << 48) | (0x10ull << 32);
constexpr std::uint16_t kKernelCode = 0x10;
constexpr std::uint64_t kCr4FsGsBase = 1ull << 16;
// RFLAGS bits syscall clears in ring 0: TF, IF, DF, IOPL, NT, AC.
constexpr std::uint64_t kSyscallMask = 0x47700;

// kvm_msrs has the same flexible-array trap as kvm_cpuid2 (kvm_system.hpp): in C++ its
// sizeof is not C's 8, and the ioctl numbers encode it. The kernel's numbers and layout:
constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, std::uint64_t);
constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, std::uint64_t);
struct MsrList {
  std::uint32_t nmsrs;
  std::uint32_t pad;
  kvm_msr_entry entries[12];
};
static_assert(offsetof(MsrList, entries) == 8);

void write_gdt(std::byte* low) {
  auto* gdt = reinterpret_cast<std::uint64_t*>(low + MICROVM_GDT);
  gdt[2] = 0x00af9a000000ffff;  // 0x10 kernel code, 64-bit
  gdt[3] = 0x00cf92000000ffff;  // 0x18 kernel data
  gdt[4] = 0x00cffa000000ffff;  // 0x20 user code, 32-bit (sysret's base selector)
  gdt[5] = 0x00cff2000000ffff;  // 0x28 user data
  gdt[6] = 0x00affa000000ffff;  // 0x30 user code, 64-bit
  // 0x40: the 64-bit TSS, 16 bytes.
  const std::uint64_t base = MICROVM_TSS, limit = 0x67;
  gdt[8] = limit | ((base & 0xffffff) << 16) | (0x89ull << 40) | (((base >> 24) & 0xff) << 56);
  gdt[9] = base >> 32;
}

void write_idt(std::byte* low) {
  auto* idt = reinterpret_cast<std::uint64_t*>(low + MICROVM_IDT);
  for (std::uint64_t vector = 0; vector < 32; ++vector) {
    const std::uint64_t handler =
        MICROVM_SUPERVISOR + MICROVM_ENTRY_FAULTS + vector * MICROVM_FAULT_STUB_BYTES;
    // Present, DPL 0, 64-bit interrupt gate, kernel code, no IST.
    idt[vector * 2] = (handler & 0xffff) | (std::uint64_t{kKernelCode} << 16) | (0x8eull << 40) |
                      (((handler >> 16) & 0xffff) << 48);
    idt[vector * 2 + 1] = handler >> 32;
  }
}

void write_tss(std::byte* low) {
  std::byte* tss = low + MICROVM_TSS;
  std::memset(tss, 0, 0x68);
  const std::uint64_t rsp0 = MICROVM_SUPERVISOR_STACK_TOP;
  std::memcpy(tss + 4, &rsp0, sizeof rsp0);
  const std::uint16_t no_io_bitmap = 0x68;
  std::memcpy(tss + 0x66, &no_io_bitmap, sizeof no_io_bitmap);
}

Result<void> set_msrs(kvm::KvmVcpu& vcpu, std::initializer_list<std::pair<std::uint32_t, std::uint64_t>> values) {
  MsrList list{};
  std::uint32_t n = 0;
  for (const auto& [index, data] : values) list.entries[n++] = kvm_msr_entry{.index = index, .reserved = 0, .data = data};
  list.nmsrs = n;
  int set = ::ioctl(vcpu.fd(), kSetMsrs, &list);
  if (set < 0) return fail_errno("KVM_SET_MSRS");
  if (static_cast<std::uint32_t>(set) != n)
    return fail("KVM_SET_MSRS refused MSR 0x" + [&] {
      char hex[16];
      std::snprintf(hex, sizeof hex, "%x", list.entries[set].index);
      return std::string(hex);
    }());
  return {};
}

}  // namespace

const char* to_string(Supervision supervision) { return supervision == Supervision::kRing0 ? "ring0" : "user"; }

void install_supervisor(std::byte* low, Supervision supervision, std::uint32_t answered_pid) {
  std::memcpy(low + MICROVM_SUPERVISOR, isobench_microvm_supervisor,
              static_cast<std::size_t>(isobench_microvm_supervisor_end - isobench_microvm_supervisor));
  const std::uint64_t pid = answered_pid, by_jump = supervision == Supervision::kUserMode;
  std::memcpy(low + MICROVM_SUPERVISOR_DATA + MICROVM_DATA_PID, &pid, sizeof pid);
  std::memcpy(low + MICROVM_SUPERVISOR_DATA + MICROVM_DATA_RETURN_BY_JUMP, &by_jump, sizeof by_jump);
  write_gdt(low);
  write_idt(low);
  write_tss(low);
}

Result<void> set_initial_state(kvm::KvmVcpu& vcpu, std::uint64_t cr3, std::uint64_t entry,
                               std::uint64_t rsp) {
  auto sregs = vcpu.special_registers();
  if (!sregs) return std::unexpected(sregs.error());
  kvm::set_long_mode(*sregs, kvm::GuestMode::kUser, cr3);
  sregs->cr4 |= kCr4FsGsBase;  // the supervisor sets the TLS base with wrfsbase
  sregs->gdt.base = MICROVM_GDT;
  sregs->gdt.limit = 10 * 8 - 1;
  sregs->idt.base = MICROVM_IDT;
  sregs->idt.limit = 32 * 16 - 1;
  sregs->tr.base = MICROVM_TSS;
  if (auto set = vcpu.set_special_registers(*sregs); !set) return fail("64-bit user mode: " + set.error().describe());
  if (auto set = vcpu.set_entry(entry, rsp); !set) return set;
  return set_msrs(vcpu, {{kMsrStar, kStar},
                         {kMsrLstar, MICROVM_SUPERVISOR + MICROVM_ENTRY_SYSCALL},
                         {kMsrSyscallMask, kSyscallMask}});
}

Result<std::uint64_t> read_msr(kvm::KvmVcpu& vcpu, std::uint32_t index) {
  MsrList list{};
  list.nmsrs = 1;
  list.entries[0].index = index;
  if (::ioctl(vcpu.fd(), kGetMsrs, &list) != 1) return fail_errno("KVM_GET_MSRS");
  return list.entries[0].data;
}

Result<std::uint64_t> fs_base(kvm::KvmVcpu& vcpu) { return read_msr(vcpu, kMsrFsBase); }

Result<void> set_guest_clock(kvm::KvmVcpu& vcpu, std::byte* low) {
  const int khz = ::ioctl(vcpu.fd(), KVM_GET_TSC_KHZ, 0);
  if (khz <= 0) return fail_errno("KVM_GET_TSC_KHZ");
  timespec monotonic{}, realtime{};
  ::clock_gettime(CLOCK_MONOTONIC, &monotonic);
  auto tsc = read_msr(vcpu, kMsrTsc);
  ::clock_gettime(CLOCK_REALTIME, &realtime);
  if (!tsc) return std::unexpected(tsc.error().with_context("the guest's TSC"));
  auto ns = [](const timespec& t) { return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000'000ull + static_cast<std::uint64_t>(t.tv_nsec); };
  // 10^6 ns per kHz tick, in 32.32 fixed point.
  const std::uint64_t ns_per_tick_32 = (1'000'000ull << 32) / static_cast<std::uint64_t>(khz);
  const std::uint64_t values[][2] = {{MICROVM_DATA_TSC_BASE, *tsc},
                                     {MICROVM_DATA_NS_PER_TICK_32, ns_per_tick_32},
                                     {MICROVM_DATA_MONOTONIC_BASE, ns(monotonic)},
                                     {MICROVM_DATA_REALTIME_BASE, ns(realtime)},
                                     {MICROVM_DATA_BILLION, 1'000'000'000ull}};
  for (const auto& [offset, value] : values) std::memcpy(low + MICROVM_SUPERVISOR_DATA + offset, &value, sizeof value);
  return {};
}

}  // namespace isobench::microvm
