#include "qemu_command.hpp"

namespace isobench::qemu {

std::vector<std::string> qemu_argv(const guest::GuestBoot& boot, const QemuGuest& guest) {
  std::vector<std::string> argv = {
      boot.qemu_binary.string(),
      "-name", "guest=" + guest.name,
      "-machine", boot.machine,
      "-accel", boot.accel.accel,
      "-m", std::to_string(guest.size.memory_mib) + "M",
      "-smp", std::to_string(guest.size.vcpus),
      "-nodefaults", "-no-user-config", "-display", "none",
      "-kernel", boot.kernel.path.string(),
      "-initrd", guest.initrd.empty() ? boot.initramfs.path.string() : guest.initrd,
      "-append", guest.cmdline,
      "-serial", "stdio",
      // Any reboot (panic=-1 on a failing /init) ends QEMU, as on_reboot=destroy does.
      "-no-reboot",
      // Started stopped, released over QMP: the sequence libvirt follows.
      "-S",
      "-chardev", "socket,id=isobench-qmp,fd=" + std::to_string(guest.qmp_fd),
      "-mon", "chardev=isobench-qmp,mode=control",
  };
  // As libvirt's <interface type='ethernet'> with an unmanaged tap (vm_backend.cpp).
  if (!guest.tap.empty())
    argv.insert(argv.end(), {"-netdev", "tap,id=isobench-net,ifname=" + guest.tap + ",script=no,downscript=no",
                             "-device", "virtio-net-pci,netdev=isobench-net"});
  return argv;
}

}  // namespace isobench::qemu
