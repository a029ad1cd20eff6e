// The initramfs of a guest with a network (the net suite): the ordinary archive with a
// second newc archive appended (the kernel unpacks concatenated archives in turn) that
// holds the virtio-net modules /init loads (bench/workload/guest_net.cpp). Other guests
// keep the plain archive, so image sizes and boot times elsewhere are unchanged.
#pragma once

#include <filesystem>

#include "initramfs.hpp"

namespace isobench::guest {

// The modules come from <kernel's dir>/net-modules/ (scripts/fetch-guest-kernel puts them
// there, with `order`). Cached in `cache_dir` as isobench-netramfs-<hash>.cpio.
Result<std::filesystem::path> network_initramfs(const Initramfs& base, const std::filesystem::path& kernel,
                                                const std::filesystem::path& cache_dir);

}  // namespace isobench::guest
