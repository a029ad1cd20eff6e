// `podman`: the shared minimal image through Podman (daemonless: the podman CLI, then
// conmon holding runc), in storage of isobench's own for the run:
// STATE_DIR/isobench-podman-PID/{root,tmp} and /run/isobench-podman-PID (its runroot and
// runc's state: podman refuses a runroot over 50 characters), with --cgroup-manager cgroupfs
// and --events-backend file (no systemd here), the cgroup parent /isobench-podman-PID.
//
// What the host needs, from HOST-NOTES.md, each recorded in the manifest: podman's
// default rlimits fail here ("setrlimit RLIMIT_NOFILE: Operation not permitted", then
// RLIMIT_NPROC), so containers get --ulimit nofile=1024:1024 --ulimit nproc=1024:1024;
// crun refuses hybrid cgroups, so the runtime is runc there and crun where the host is
// pure cgroup v2. The paths podman makes on first use wherever its roots are
// (/var/lib/containers/cache, /var/cache/containers, /etc/cni/net.d/cni.lock, /run/runc)
// are removed at the end when this run made them.
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_podman_backend(const BackendConfig& config);
}
