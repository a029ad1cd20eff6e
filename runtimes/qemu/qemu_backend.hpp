// `qemu`: the vm backend's guest (same kernel, initramfs, machine and console) started
// by running QEMU directly, without libvirt, so that the difference shows what libvirt
// itself costs. QEMU is a child of the harness: its serial console is its stdout pipe,
// its QMP monitor a socketpair it inherits.
#pragma once

#include "runtimes/backend.hpp"
#include "runtimes/guest/guest_boot.hpp"

namespace isobench {
std::unique_ptr<Backend> make_qemu_backend(const BackendConfig& config);
// For tests: a guest with a tweaked kernel command line.
std::unique_ptr<Backend> make_qemu_backend(const BackendConfig& config, const guest::GuestTweaks& tweaks);
}  // namespace isobench
