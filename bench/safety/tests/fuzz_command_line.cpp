// libFuzzer target for the `bench` argument parser: the input is split at NUL bytes into
// argv. The parser must return a Command or a one-line error, never crash or throw.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/cli/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> storage;
  while (!text.empty() && storage.size() < 64) {
    auto nul = text.find('\0');
    storage.emplace_back(text.substr(0, nul));
    text.remove_prefix(nul == std::string_view::npos ? text.size() : nul + 1);
  }
  std::vector<std::string_view> args(storage.begin(), storage.end());
  auto command = isobench::cli::parse_command_line(args);
  if (!command && command.error().describe().find('\n') != std::string::npos) std::abort();
  return 0;
}
