// The guest kernel both guest backends (vm, qemu) boot directly: where it is, and
// whether the file is a Linux bzImage at all, so that a missing, unreadable or corrupt
// kernel is reported before any QEMU starts.
#pragma once

#include <filesystem>
#include <string>

#include "runtimes/common/error.hpp"

namespace isobench::guest {

struct GuestKernel {
  std::filesystem::path path;
  std::string release;  // "6.1.0-56-cloud-amd64", from the bzImage header
};

// Where scripts/fetch-guest-kernel caches the kernel: <state dir>/guest-kernel/vmlinuz.
std::filesystem::path cached_kernel_path(const std::filesystem::path& state_dir);

// Reads and checks the x86 boot protocol header ("HdrS", boot flag, payload size
// against the file size). The error names the path and says what to do.
Result<GuestKernel> validate_kernel(const std::filesystem::path& path);

}  // namespace isobench::guest
