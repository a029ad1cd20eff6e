// PLACEHOLDER until the backend's issue lands.
#include "vm_backend.hpp"

#include "../common/placeholder_backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_vm_backend(const BackendConfig&) { return make_placeholder_backend("vm"); }
}
