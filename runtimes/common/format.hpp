#pragma once

#include <cstdint>
#include <string>

namespace isobench {
// 64 MiB, 1.5 GiB, 512 KiB, 100 B: the unit a person would say.
std::string format_bytes(std::uint64_t bytes);
}  // namespace isobench
