// `bench compare`: reads two results files (or NEW and its testbed's baseline), judges
// every benchmark, prints the verdict table, optionally writes it as JSON.
#include <cstdio>

#include "bench/compare/compare_json.hpp"
#include "bench/compare/comparison.hpp"
#include "bench/compare/testbed.hpp"
#include "bench/compare/verdict_table.hpp"
#include "bench/harness/results_file.hpp"
#include "bench/results/model.hpp"
#include "commands.hpp"

namespace isobench::cli {

int run_compare(const Command& command) {
  using namespace isobench::compare;
  const CompareRun& run = command.compare;

  auto next = read_results(run.next);
  if (!next) return usage_error(next.error().describe());
  auto next_testbed = testbed_of(next->context);

  if (run.fingerprint_only) {
    if (!next_testbed) return usage_error(next->source + ": " + next_testbed.error().describe());
    std::printf("%s\n", fingerprint(*next_testbed).c_str());
    return 0;
  }

  std::filesystem::path base_path;
  if (run.baseline_auto) {
    if (!next_testbed) return usage_error("--baseline auto: " + next->source + ": " + next_testbed.error().describe());
    auto found = find_baseline(run.baselines_dir, *next_testbed);
    if (!found) return usage_error("--baseline auto: " + found.error().describe());
    base_path = *found;
    std::fprintf(stderr, "bench: compare: baseline %s\n", base_path.c_str());
  } else {
    base_path = *run.base;
  }
  auto base = read_results(base_path);
  if (!base) return usage_error(base.error().describe());
  auto base_testbed = testbed_of(base->context);

  if (base_testbed && next_testbed && !(*base_testbed == *next_testbed) && !run.normalize_bare)
    std::fprintf(stderr,
                 "bench: warning: BASE and NEW come from different testbeds (%s; %s): absolute figures "
                 "differ for that alone; --normalize bare compares ratios to bare instead\n",
                 describe(*base_testbed).c_str(), describe(*next_testbed).c_str());

  CompareSettings settings;
  settings.alpha = run.alpha;
  settings.threshold = run.threshold_pct / 100;
  settings.normalize_bare = run.normalize_bare;
  settings.metrics = run.metrics;
  auto comparison = compare_results(*base, *next, settings);
  if (!comparison) return usage_error("compare: " + comparison.error().describe());

  std::fputs(verdict_table(*comparison).c_str(), stdout);
  std::fflush(stdout);

  if (run.json_out) {
    CompareInputs inputs{base->source, next->source, base_testbed ? fingerprint(*base_testbed) : "",
                         next_testbed ? fingerprint(*next_testbed) : ""};
    std::string text =
        to_json(*comparison, inputs).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    if (auto written = write_file_atomically(*run.json_out, text); !written)
      return usage_error("--json: " + written.error().describe());
  }
  if (comparison->gate_fails()) {
    std::fprintf(stderr, "bench: compare: %zu regression(s), %zu failed benchmark(s) in NEW\n",
                 comparison->count(Verdict::kRegression), comparison->count(Verdict::kFailed));
    return 1;
  }
  return 0;
}

}  // namespace isobench::cli
