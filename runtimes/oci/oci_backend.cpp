// PLACEHOLDER until the backend's issue lands.
#include "oci_backend.hpp"

#include "../common/placeholder_backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_crun_backend(const BackendConfig&) { return make_placeholder_backend("crun"); }
std::unique_ptr<Backend> make_runc_backend(const BackendConfig&) { return make_placeholder_backend("runc"); }
}
