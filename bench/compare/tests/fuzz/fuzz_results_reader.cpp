// libFuzzer target: whatever the bytes, reading a results file either succeeds or fails
// with one line, and comparing what was read with itself neither crashes nor finds a
// regression. Built with clang by build.sh; replayed over corpus/ by ctest with g++.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "bench/compare/compare_json.hpp"
#include "bench/compare/comparison.hpp"
#include "bench/results/model.hpp"
#include "bench/compare/testbed.hpp"
#include "bench/compare/verdict_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace isobench::compare;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto file = parse_results(text, "fuzz-input.json");
  if (!file) {
    if (file.error().message.find('\n') != std::string::npos || file.error().message.empty()) std::abort();
    return 0;
  }
  if (auto testbed = testbed_of(file->context)) (void)fingerprint(*testbed);
  CompareSettings settings;
  settings.metrics = {"all"};
  settings.resamples = 50;
  auto comparison = compare_results(*file, *file, settings);
  if (!comparison) return 0;
  if (comparison->count(Verdict::kRegression) > 0 || comparison->count(Verdict::kImprovement) > 0) std::abort();
  (void)verdict_table(*comparison);
  (void)to_json(*comparison, {}).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
