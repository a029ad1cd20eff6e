// PLACEHOLDER until the backend's issue lands: reports the backend as unavailable.
#pragma once

#include "../backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_kvm_backend(const BackendConfig& config);
}
