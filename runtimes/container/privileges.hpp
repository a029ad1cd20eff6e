// What the workload may do once it runs as the container's PID 1: no_new_privs, and the
// capability set Docker and crun give a container by default instead of all of root's.
#pragma once

namespace isobench {

// Called in the cloned child right before execve, after every step that still needs
// CAP_SYS_ADMIN (mounts, pivot_root). Async-signal-safe: system calls only.
// Returns 0 or the errno of the step that failed; `failed_step` names it.
int drop_privileges(const char** failed_step);

}  // namespace isobench
