// `bare`: the workload spawned directly on the host, no isolation. The reference every
// other backend is compared with.
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_bare_backend(const BackendConfig& config);
}
