// `container`: isobench's own namespace/cgroup runtime (container_runtime.hpp) running
// the workload from the shared minimal image (image/minimal_image.hpp).
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_container_backend(const BackendConfig& config);
}
