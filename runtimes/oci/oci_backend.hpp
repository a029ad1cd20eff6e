// `crun` and `runc`: the shared minimal image as an OCI bundle, run by the installed
// runtimes (oci_runtime.hpp). A runtime that is not installed is unavailable, with why.
#pragma once

#include "runtimes/backend.hpp"

namespace isobench {
std::unique_ptr<Backend> make_crun_backend(const BackendConfig& config);
std::unique_ptr<Backend> make_runc_backend(const BackendConfig& config);
}
