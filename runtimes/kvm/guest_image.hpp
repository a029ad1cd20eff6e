// The guest image, embedded at build time: the ELF of guest/guest_main.c linked with
// the workload's kernels (guest/CMakeLists.txt).
#pragma once

#include <cstddef>
#include <span>

namespace isobench::kvm {

std::span<const std::byte> embedded_guest_elf();

}  // namespace isobench::kvm
