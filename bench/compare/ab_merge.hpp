// One side of `bench ab` ran as K repetition slices, each its own results.json; this
// makes them one results document, as if the side had run alone: every benchmark's
// iteration rows in block order with repetition_index 0 .. N-1 and `repetitions` N, and
// Google Benchmark's mean/median/stddev/cv aggregates recomputed over all of them. The
// derived sections (figures, ratios, claims) are left to the harness's results pipeline.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtimes/common/error.hpp"

namespace isobench::compare {

// `blocks[b]` is block b's document, nullopt for a block that held no repetition.
// `context` of the result is the first block's, without its slice. Fails (naming
// `source`) when no block has rows or a document is not a results file.
Result<nlohmann::json> merge_blocks(const std::vector<std::optional<nlohmann::json>>& blocks, const std::string& source);

}  // namespace isobench::compare
