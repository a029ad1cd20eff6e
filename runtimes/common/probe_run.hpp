// "Can this backend run here?" answered by running one real `noop` instance outside any
// timing: launch, readiness, exit and teardown must all succeed. Shared by the container
// and the OCI backends, whose availability depends on kernel and runtime details that no
// static check covers.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "runtimes/backend.hpp"

namespace isobench {

using Launcher = std::function<Result<std::unique_ptr<Instance>>(const LaunchOptions&)>;

// Each of readiness and exit gets `phase_timeout`; the instance is torn down on every path.
Availability probe_by_running_noop(const Launcher& launch, std::chrono::seconds phase_timeout);

}  // namespace isobench
