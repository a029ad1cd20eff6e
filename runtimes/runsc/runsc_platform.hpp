// gVisor's platforms, as runsc 20221219 (Debian 12) knows them: `ptrace` (the Sentry
// traps the workload's system calls with PTRACE_SYSEMU; works anywhere) and `kvm` (the
// Sentry runs the workload in a KVM guest mode of its own). systrap came in 2023.
//
// Under PVM (kvm_pvm on this project's outer machines) `runsc --platform=kvm run` opens
// /dev/kvm and then hangs with no output (HOST-NOTES.md: killed after 30 s); the backend's
// test container, run with a deadline, is the probe that finds that out.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"

namespace isobench {

enum class RunscPlatform { kPtrace, kKvm };

// "ptrace" or "kvm"; anything else is an error naming the value.
Result<RunscPlatform> parse_runsc_platform(std::string_view name);
std::string to_string(RunscPlatform platform);

// runsc's flags for one launch: --platform, and --network for the instance's network
// (none: loopback only in gVisor's own netstack; sandbox: netstack on the interfaces of
// a prepared namespace; host: the host's network stack, no netstack).
Result<std::vector<std::string>> runsc_launch_flags(RunscPlatform platform, const NetworkAttachment& network);

// Whether /dev/kvm can be opened for the kvm platform; the reason when it cannot.
Availability kvm_device_usable(const std::filesystem::path& device = "/dev/kvm");

// True when the host's KVM is PVM's (the kvm_pvm module is loaded): gVisor's kvm
// platform hangs there.
bool host_kvm_is_pvm(const std::filesystem::path& sys_module = "/sys/module");

}  // namespace isobench
