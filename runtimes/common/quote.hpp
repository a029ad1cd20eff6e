// Quoting what a user typed (a flag's value, an argument, a path) inside a one-line error:
// `value`, cut after 150 characters with the full length said, so that a
// 100,000-character --backend gives a readable line, not the whole value echoed back.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace isobench {

inline constexpr std::size_t kQuotedInputLimit = 150;

// `text`, or `its first 150 characters`... (N characters). Control characters become '?'
// (the error stays one line); a cut never splits a UTF-8 character.
inline std::string quote_input(std::string_view text, std::size_t limit = kQuotedInputLimit) {
  std::size_t keep = text.size() <= limit ? text.size() : limit;
  while (keep < text.size() && keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  std::string out = "`";
  out.reserve(keep + 32);
  for (char c : text.substr(0, keep)) out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c;
  out += '`';
  if (keep < text.size()) out += "... (" + std::to_string(text.size()) + " characters)";
  return out;
}

}  // namespace isobench
