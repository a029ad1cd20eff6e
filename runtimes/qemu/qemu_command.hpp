// QEMU's command line for the guest that vm-configs/domain.xml describes to libvirt:
// q35 (or microvm, --vm-machine), direct kernel boot, the serial console on stdout, no other device. Keep the two
// in step: the qemu backend exists to show what libvirt adds to the same machine.
#pragma once

#include <string>
#include <vector>

#include "runtimes/guest/guest_boot.hpp"

namespace isobench::qemu {

struct QemuGuest {
  std::string name;
  std::string cmdline;  // the kernel command line
  guest::GuestSize size;
  int qmp_fd = 3;  // a connected socket QEMU inherits as its QMP monitor
  // The net suite: virtio-net on this prepared tap, and the initramfs with its modules.
  std::string tap;
  std::string initrd;  // empty: boot.initramfs
};

std::vector<std::string> qemu_argv(const guest::GuestBoot& boot, const QemuGuest& guest);

}  // namespace isobench::qemu
