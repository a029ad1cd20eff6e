// The memory guard of the density suite: before each launch, whether one more instance
// still leaves the host a safe margin. Logic only, so it is tested on made-up figures.
#pragma once

#include <cstdint>

#include "runtimes/common/proc_memory.hpp"

namespace isobench {

// What the host keeps free whatever density asks for: an eighth of its memory, and at
// least 1 GiB (ISOBENCH_DENSITY_RESERVE_BYTES overrides it, for tests).
std::uint64_t density_reserve(const MemInfo& info);
// A pessimistic cost of one more instance before it runs: a guest may touch all its RAM
// on top of QEMU's own ~200 MB; a process-based instance stays well below 64 MiB. Once
// instances run, the drop of MemAvailable per instance so far, if larger.
std::uint64_t density_estimate(bool boots_guest_os, std::uint64_t guest_memory_bytes,
                               std::uint64_t drop_so_far, std::uint64_t launched);
bool one_more_fits(const MemInfo& now, std::uint64_t estimate, std::uint64_t reserve);

}  // namespace isobench
