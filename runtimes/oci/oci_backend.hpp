// PLACEHOLDER until the backend's issue lands: reports the backend as unavailable.
#pragma once

#include "../backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_crun_backend(const BackendConfig& config);
std::unique_ptr<Backend> make_runc_backend(const BackendConfig& config);
}
