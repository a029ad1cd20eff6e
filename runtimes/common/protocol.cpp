#include "protocol.hpp"

namespace isobench {
namespace {
constexpr std::size_t kConsoleTailLines = 40;
}

std::optional<std::string> find_tagged(std::string_view line, std::string_view tag) {
  auto at = line.find(tag);
  if (at == std::string_view::npos) return std::nullopt;
  auto end = line.rfind('}');
  if (end == std::string_view::npos || end < at) return std::nullopt;
  return std::string(line.substr(at, end - at + 1));
}

Result<std::string> ProtocolStream::await(std::string_view tag, Deadline deadline) {
  for (;;) {
    auto line = reader_.next_line(deadline);
    if (!line) return std::unexpected(line.error());
    if (auto tagged = find_tagged(*line, tag)) return *tagged;
    if (on_console_line_) on_console_line_(*line);
    if (panic_line_.empty() && line->find("Kernel panic - not syncing") != std::string::npos) panic_line_ = *line;
    console_tail_.push_back(std::move(*line));
    if (console_tail_.size() > kConsoleTailLines) console_tail_.pop_front();
  }
}

}  // namespace isobench
