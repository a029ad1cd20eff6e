// `vm`: a transient guest through libvirt's C API. By default the embedded QEMU driver
// (qemu:///embed?root=<state dir>/libvirt) runs inside the bench process, so no daemon
// is needed; --libvirt-uri picks qemu:///system or a remote host. The guest boots the
// guest kernel directly with an initramfs whose /init is the workload binary; its
// serial console is read live through a FIFO.
#pragma once

#include "runtimes/backend.hpp"
#include "runtimes/guest/guest_boot.hpp"

namespace isobench {
std::unique_ptr<Backend> make_vm_backend(const BackendConfig& config);
// For tests: a guest with a tweaked kernel command line.
std::unique_ptr<Backend> make_vm_backend(const BackendConfig& config, const guest::GuestTweaks& tweaks);
}  // namespace isobench
