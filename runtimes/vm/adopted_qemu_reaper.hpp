// Reaps the QEMU processes that libvirt's embedded driver starts.
//
// The embedded driver daemonizes QEMU (double fork), so QEMU is an orphan from birth
// and its exit is collected by whoever adopts it. libvirt then learns that QEMU is gone
// by polling kill(pid, 0) every 200 ms, which keeps succeeding while QEMU is an unreaped
// zombie. On a host whose init reaps late (this project's lab machines: 1.2-1.9 s after
// the exit, measured with a double-forked child), every guest would carry that delay in
// its teardown and nothing of it would be libvirt's or QEMU's. So bench makes itself
// the child subreaper before the driver starts any QEMU, and reaps exactly the QEMU
// processes it is told about, as soon as each exits; any other adopted orphan is left
// alone (it is reaped when bench exits). libvirtd-managed QEMU (qemu:///system) is
// libvirtd's child and never needs this.
#pragma once

#include <sys/types.h>

#include "../common/error.hpp"

namespace isobench::vm {

// Makes this process the subreaper of its descendants' orphans. Idempotent.
Result<void> become_child_subreaper();

// Reaps `pid` (a QEMU adopted by this process) the moment it exits, in a background
// thread. A pid that is not this process's child is ignored: someone else reaps it.
void reap_when_exited(pid_t pid);

}  // namespace isobench::vm
