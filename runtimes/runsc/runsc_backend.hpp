// `runsc`: the shared image as an OCI bundle (the same bundle as crun and runc) run by
// gVisor, whose Sentry is a kernel in user space between the workload and the host: the
// workload's system calls go to the Sentry (trapped by ptrace, or by KVM with
// --runsc-platform kvm), its files come through a Gofer process. Family "sandbox".
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_runsc_backend(const BackendConfig& config);
}
