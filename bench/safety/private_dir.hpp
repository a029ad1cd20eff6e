// State and temp dirs readable by their owner only (0700): they hold the guest kernel,
// images, libvirt's embedded state and console FIFOs of guests run as root.
#pragma once

#include <filesystem>

#include "runtimes/common/error.hpp"

namespace isobench::safety {

// Creates `dir` (and parents) if missing, and makes it 0700 when it is ours.
Result<void> make_private_dir(const std::filesystem::path& dir);

}  // namespace isobench::safety
