#include "measure.hpp"

#include <cerrno>
#include <cstring>
#include <limits>

namespace workload {

std::optional<std::uint64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (value == 0) return std::nullopt;
  return value;
}

std::string errno_message(std::string_view what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace workload
