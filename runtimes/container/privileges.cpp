#include "privileges.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace isobench {
namespace {

// The OCI/Docker default set: enough for an ordinary service, none of the capabilities
// that reach the host (sys_admin, sys_module, sys_ptrace, net_admin, sys_time, ...).
constexpr int kKeptCapabilities[] = {
    CAP_CHOWN,  CAP_DAC_OVERRIDE, CAP_FSETID,     CAP_FOWNER,           CAP_MKNOD,       CAP_NET_RAW,    CAP_SETGID,
    CAP_SETUID, CAP_SETFCAP,      CAP_SETPCAP,    CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,  CAP_KILL,       CAP_AUDIT_WRITE,
};

bool kept(int capability) {
  for (int c : kKeptCapabilities)
    if (c == capability) return true;
  return false;
}

}  // namespace

int drop_privileges(const char** failed_step) {
  // PR_CAPBSET_DROP answers EINVAL past the kernel's last capability, which ends the loop
  // without reading /proc/sys/kernel/cap_last_cap.
  for (int capability = 0; capability < 64; ++capability) {
    if (kept(capability)) continue;
    if (::prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0) {
      if (errno == EINVAL) break;
      *failed_step = "drop capability from the bounding set";
      return errno;
    }
  }
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2]{};
  for (int capability : kKeptCapabilities) {
    data[capability / 32].effective |= 1u << (capability % 32);
    data[capability / 32].permitted |= 1u << (capability % 32);
    data[capability / 32].inheritable |= 1u << (capability % 32);
  }
  if (::syscall(SYS_capset, &header, data) != 0) {
    *failed_step = "capset";
    return errno;
  }
  // After this, execve can never grant more than the process has (no setuid, no file caps).
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    *failed_step = "prctl(PR_SET_NO_NEW_PRIVS)";
    return errno;
  }
  return 0;
}

}  // namespace isobench
