// `docker`: the shared minimal image through Docker (docker CLI -> dockerd -> containerd
// -> containerd-shim -> runc). By default a private dockerd that bench starts for the run
// and stops at its end (private_dockerd.hpp); --docker-host URI (or DOCKER_HOST) uses the
// user's own daemon instead, which bench never stops or reconfigures: there it creates
// and removes only its own image and containers. The image is `docker import` of the
// minimal rootfs, its entrypoint the workload binary.
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_docker_backend(const BackendConfig& config);
}
