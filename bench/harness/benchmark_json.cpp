#include "benchmark_json.hpp"

#include <array>
#include <cctype>

namespace isobench {
namespace {

// Spellings of non-finite doubles that printf and iostreams produce, longest first so
// that "Infinity" is not taken for "inf" followed by garbage.
constexpr std::array<std::string_view, 8> kNonFinite = {"-Infinity", "Infinity", "-nan", "-NaN", "-inf",
                                                        "NaN",       "nan",      "inf"};

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

}  // namespace

std::string null_non_finite_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size();) {
    char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[i + 1];
        i += 2;
        continue;
      }
      if (c == '"') in_string = false;
      ++i;
      continue;
    }
    if (c == '"') {
      in_string = true;
      out += c;
      ++i;
      continue;
    }
    bool replaced = false;
    if (i == 0 || !is_word_char(text[i - 1])) {
      for (std::string_view token : kNonFinite) {
        std::size_t end = i + token.size();
        if (text.substr(i, token.size()) == token && (end == text.size() || !is_word_char(text[end]))) {
          out += "null";
          i = end;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) {
      out += c;
      ++i;
    }
  }
  return out;
}

Result<nlohmann::json> parse_benchmark_json(std::string_view text) {
  try {
    return nlohmann::json::parse(null_non_finite_numbers(text));
  } catch (const nlohmann::json::exception& e) {
    return fail(std::string("Google Benchmark's JSON output does not parse: ") + e.what());
  }
}

}  // namespace isobench
