#include "long_mode.hpp"

#include <initializer_list>

namespace isobench::kvm {
namespace {

constexpr std::uint64_t kCr0 = 0x80050033;            // PG AM WP NE ET MP PE
constexpr std::uint64_t kCr4 = 0x20 | 0x200 | 0x400;  // PAE OSFXSR OSXMMEXCPT
constexpr std::uint64_t kEfer = 0xd01;                // NXE LMA LME SCE

kvm_segment flat_segment(std::uint16_t selector, std::uint8_t type, std::uint8_t dpl, bool code) {
  kvm_segment s{};
  s.base = 0;
  s.limit = 0xffffffff;
  s.selector = selector;
  s.type = type;
  s.present = 1;
  s.dpl = dpl;
  s.db = code ? 0 : 1;  // a 64-bit code segment has L set and D clear
  s.s = 1;
  s.l = code ? 1 : 0;
  s.g = 1;
  return s;
}

}  // namespace

const char* to_string(GuestMode mode) { return mode == GuestMode::kUser ? "user" : "kernel"; }

void set_long_mode(kvm_sregs& sregs, GuestMode mode, std::uint64_t cr3) {
  const std::uint8_t dpl = mode == GuestMode::kUser ? 3 : 0;
  // The GDT's usual layout (Linux's for user mode: 0x33 code, 0x2b data; 0x08 / 0x10 in
  // ring 0). No GDT is in memory: nothing reloads a segment, and no interrupt is taken.
  const std::uint16_t code = mode == GuestMode::kUser ? 0x33 : 0x08;
  const std::uint16_t data = mode == GuestMode::kUser ? 0x2b : 0x10;
  sregs.cs = flat_segment(code, 11, dpl, true);  // execute/read, accessed
  for (kvm_segment* s : {&sregs.ds, &sregs.es, &sregs.fs, &sregs.gs, &sregs.ss}) *s = flat_segment(data, 3, dpl, false);
  sregs.ldt = kvm_segment{};  // zero: not present
  sregs.tr = kvm_segment{};
  sregs.tr.selector = 0x40;
  sregs.tr.limit = 0x67;
  sregs.tr.type = 11;  // 64-bit TSS, busy
  sregs.tr.present = 1;
  sregs.gdt = {};
  sregs.idt = {};
  sregs.cr0 = kCr0;
  sregs.cr3 = cr3;
  sregs.cr4 = kCr4;
  sregs.efer = kEfer;
}

}  // namespace isobench::kvm
