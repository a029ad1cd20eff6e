// Reading what Google Benchmark's JSON reporter wrote.
//
// Its writer prints a non-finite double as a bare NaN, -nan, inf or Infinity token,
// which is not JSON: one such figure (the coefficient of variation of a row whose
// repetitions all took 0 s, like the static binary's build time in the image suite)
// would make the whole run's output unreadable. A value that is not a number is
// written as null instead, which every reader of results.json already handles as
// "no figure".
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "runtimes/common/error.hpp"

namespace isobench {

// `text` with every bare non-finite number token (outside strings) replaced by null.
std::string null_non_finite_numbers(std::string_view text);

// Parses Google Benchmark's JSON output, non-finite figures as null.
Result<nlohmann::json> parse_benchmark_json(std::string_view text);

}  // namespace isobench
