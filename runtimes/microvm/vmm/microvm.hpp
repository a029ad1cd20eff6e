// One microvm: the unchanged static workload binary as the only program in a KVM guest
// with no guest OS. The VMM maps the ELF, lays out the stack, starts the vCPU in 64-bit
// user mode at the entry point, and performs the system calls that the supervisor hands
// it, until the workload exits or faults.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "cpu_state.hpp"
#include "runtimes/common/error.hpp"

namespace isobench::microvm {

struct MicrovmConfig {
  std::filesystem::path device = "/dev/kvm";
  std::string binary;                   // the static workload ELF
  std::vector<std::string> argv;        // argv[0] included
  std::vector<std::string> envp;
  std::string writable_dir;             // the workload's view of its own directory (empty: none)
  std::string writable_host_dir;        // the VMM's directory behind it
  std::uint64_t memory_bytes = (4ull << 30) - (4ull << 20);  // guest RAM: reserved, backed on demand
  Supervision supervision = Supervision::kRing0;
};

// How the guest ended. The VMM process mirrors it: the same exit code, or the same
// signal, after a line on stderr for anything but a clean exit.
struct MicrovmEnd {
  int exit_code = 0;
  int signal = 0;            // the workload's own fatal signal (a fault reads as SIGSEGV)
  std::string why;           // empty for a plain exit
};

// The phases, CLOCK_MONOTONIC ns, written as one line on stderr just before the first
// KVM_RUN so that the harness can place them between its own launch and ready:
//   {"isobench":"microvm","supervision":"ring0","vm_created_ns":..,"memory_ns":..,
//    "vcpu_ns":..,"elf_loaded_ns":..}
Result<MicrovmEnd> run_microvm(const MicrovmConfig& config);

}  // namespace isobench::microvm
