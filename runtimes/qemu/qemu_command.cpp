#include "qemu_command.hpp"

namespace isobench::qemu {

std::vector<std::string> qemu_argv(const guest::GuestBoot& boot, const QemuGuest& guest) {
  return {
      boot.qemu_binary.string(),
      "-name", "guest=" + guest.name,
      "-machine", "q35",
      "-accel", boot.accel.accel,
      "-m", std::to_string(guest.size.memory_mib) + "M",
      "-smp", std::to_string(guest.size.vcpus),
      "-nodefaults", "-no-user-config", "-display", "none",
      "-kernel", boot.kernel.path.string(),
      "-initrd", boot.initramfs.path.string(),
      "-append", guest.cmdline,
      "-serial", "stdio",
      // Any reboot (panic=-1 on a failing /init) ends QEMU, as on_reboot=destroy does.
      "-no-reboot",
      // Started stopped, released over QMP: the sequence libvirt follows.
      "-S",
      "-chardev", "socket,id=isobench-qmp,fd=" + std::to_string(guest.qmp_fd),
      "-mon", "chardev=isobench-qmp,mode=control",
  };
}

}  // namespace isobench::qemu
