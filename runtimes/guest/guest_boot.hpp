// What the vm and qemu backends share: the same kernel, initramfs, accelerator, guest
// size and kernel command line, prepared once per backend so that both boot the same
// guest and differ only in who starts QEMU.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runtimes/backend.hpp"
#include "runtimes/common/spawn.hpp"  // find_in_path
#include "accel.hpp"
#include "guest_kernel.hpp"
#include "initramfs.hpp"

namespace isobench::guest {

// Test hooks: a guest that is meant to misbehave.
struct GuestTweaks {
  std::string extra_cmdline;  // appended last, so it overrides (e.g. "rdinit=/missing panic=0")
};

struct GuestBoot {
  GuestKernel kernel;
  Initramfs initramfs;
  AccelChoice accel;
  std::filesystem::path qemu_binary;
  std::string qemu_version;  // "7.2.22"
  // QEMU's machine model (--vm-machine): q35, or microvm (Firecracker-like: no PCI, no
  // firmware tables beyond ACPI's, virtio-mmio only).
  std::string machine = "q35";
  // What the machine needs on the kernel command line (before the tweaks).
  std::string machine_cmdline;
};

// Locates and validates the kernel (config.guest_kernel, else the cached one), builds
// or reuses the initramfs under <state dir>/guest, chooses the accelerator and finds
// QEMU. The error is one line saying what to fix.
Result<GuestBoot> prepare_guest_boot(const BackendConfig& config);

// doctor lines for the kernel, the accelerator and QEMU.
std::vector<DoctorCheck> guest_doctor_checks(const BackendConfig& config);
// Manifest facts: accel, accel_reason, guest_kernel, guest_kernel_release, qemu_version.
std::map<std::string, std::string> guest_manifest(const GuestBoot& boot);

// The traits of the vm and qemu backends: a guest OS booted on QEMU, KVM or TCG; the io
// workload writes to the guest's root (the initramfs); a kernel boot under TCG takes
// seconds, hence the longer timeouts.
BackendTraits guest_traits();

struct GuestSize {
  std::uint64_t memory_mib = 256;
  unsigned vcpus = 1;
};
// --memory sizes the guest's RAM, --cpus its vCPUs (rounded up); --pids has no meaning
// for a guest and is refused.
Result<GuestSize> guest_size(const Limits& limits);

// "console=ttyS0 quiet panic=-1 isobench.workload=NAME isobench.args=A,B": the kernel
// command line cannot carry spaces, commas or quotes inside one argument.
// `machine_args` (GuestBoot::machine_cmdline) goes before the tweaks.
Result<std::string> kernel_cmdline(const WorkloadCommand& workload, const GuestTweaks& tweaks,
                                   std::string_view machine_args = {});

// A name for one guest, unique on this host over time: isobench-<backend>-<pid>-<n>.
std::string next_guest_name(const std::string& backend);

}  // namespace isobench::guest

namespace isobench::guest {

// Why a guest run failed, or "" when it did not: no result line (with the console's
// last line), or a result whose "ok" is false (with its "error").
std::string guest_failure(const std::string& result_line, const std::string& last_console_line);

// Facts for every result row of a guest backend: accel, guest_kernel, machine.
std::map<std::string, std::string> guest_attributes(const GuestBoot& boot);

}  // namespace isobench::guest
