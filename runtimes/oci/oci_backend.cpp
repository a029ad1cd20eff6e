#include "oci_backend.hpp"

#include "oci_runtime.hpp"

namespace isobench {
std::unique_ptr<Backend> make_crun_backend(const BackendConfig& config) { return make_oci_backend(config, crun_kind()); }
std::unique_ptr<Backend> make_runc_backend(const BackendConfig& config) { return make_oci_backend(config, runc_kind()); }
}  // namespace isobench
