// `bench ab`'s parts: the ABBA order, repetition slices, merging a side's blocks, the
// blocked comparison with Holm over the family, the CI outputs, and its command line.
#include <gtest/gtest.h>

#include <numeric>

#include "bench/cli/options.hpp"
#include "bench/compare/ab_merge.hpp"
#include "bench/compare/ab_schedule.hpp"
#include "bench/compare/blocked_comparison.hpp"
#include "bench/compare/ci_outputs.hpp"
#include "bench/harness/plan.hpp"
#include "compare_test_util.hpp"

namespace isobench::compare {
namespace {

using testing::noisy_ms;
using testing::parsed;
using testing::results_json;
using testing::scaled;
using testing::SyntheticBenchmark;

TEST(AbSchedule, RunsBlocksInAbbaOrder) {
  std::vector<AbStep> steps = abba_schedule(4);
  ASSERT_EQ(steps.size(), 8u);
  std::string order;
  for (const AbStep& step : steps) order += step.side == AbSide::kBase ? 'A' : 'B';
  EXPECT_EQ(order, "ABBAABBA");
  for (std::size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].block, static_cast<int>(i / 2));
}

TEST(AbSlices, SharesAddUpToTheRepetitionsAndDifferByAtMostOne) {
  for (int total : {1, 3, 10, 15, 50})
    for (int count : {1, 2, 5, 7}) {
      std::vector<int> shares;
      for (int i = 0; i < count; ++i) shares.push_back(repetitions_in_slice(total, {i, count}));
      EXPECT_EQ(std::accumulate(shares.begin(), shares.end(), 0), total) << total << " in " << count;
      auto [low, high] = std::minmax_element(shares.begin(), shares.end());
      EXPECT_LE(*high - *low, 1);
    }
  EXPECT_EQ(repetitions_in_slice(3, {3, 5}), 0);  // a slice with none: the benchmark sits it out
}

// Block b of a side: `n` repetitions of each benchmark, NEW's `slowdown` times BASE's.
struct Blocks {
  std::vector<ResultsFile> base, next;
  std::vector<std::optional<nlohmann::json>> base_docs, next_docs;
};

Blocks make_blocks(const std::vector<std::pair<std::string, double>>& benchmarks, int blocks, int n) {
  Blocks out;
  for (int b = 0; b < blocks; ++b) {
    std::vector<SyntheticBenchmark> base_rows, new_rows;
    std::uint64_t seed = 100 + static_cast<std::uint64_t>(b);
    for (const auto& [name, slowdown] : benchmarks) {
      double drift = 1 + 0.3 * b;  // the host gets slower from block to block: both sides see it
      base_rows.push_back({.name = name, .real_ms = noisy_ms(seed, n, 2 * drift, 0.01)});
      new_rows.push_back({.name = name, .real_ms = scaled(noisy_ms(seed + 50, n, 2 * drift, 0.01), slowdown)});
      seed += 1000;
    }
    std::string base_text = results_json(base_rows), new_text = results_json(new_rows);
    out.base.push_back(parsed(base_text));
    out.next.push_back(parsed(new_text));
    out.base_docs.push_back(nlohmann::json::parse(base_text));
    out.next_docs.push_back(nlohmann::json::parse(new_text));
  }
  return out;
}

Comparison compare_blocks(const Blocks& blocks, CompareSettings settings = {}) {
  auto base = merge_blocks(blocks.base_docs, "base");
  auto next = merge_blocks(blocks.next_docs, "new");
  EXPECT_TRUE(base && next);
  auto comparison = compare_blocked(blocks.base, blocks.next, parsed(base->dump()), parsed(next->dump()), settings);
  EXPECT_TRUE(comparison) << comparison.error().describe();
  return comparison ? *comparison : Comparison{};
}

const Finding& finding(const Comparison& c, const std::string& name) {
  for (const Finding& f : c.findings)
    if (f.benchmark == name) return f;
  ADD_FAILURE() << "no finding for " << name;
  static Finding none;
  return none;
}

TEST(AbMerge, RenumbersRepetitionsAndRecomputesAggregatesOverAllBlocks) {
  std::vector<std::optional<nlohmann::json>> docs;
  auto context = testing::manifest_context();
  context["repetition_slice"] = "0/3";
  docs.push_back(nlohmann::json::parse(results_json({{.name = "startup/bare/noop", .real_ms = {1, 5}}}, context)));
  docs.push_back(std::nullopt);  // a block that held no repetition
  docs.push_back(nlohmann::json::parse(results_json(
      {{.name = "startup/bare/noop", .real_ms = {3}, .error_message = "boom", .failed_repetitions = 1}}, context)));
  auto merged = merge_blocks(docs, "base/results.json");
  ASSERT_TRUE(merged) << merged.error().describe();
  EXPECT_FALSE((*merged)["context"].contains("repetition_slice"));
  EXPECT_EQ((*merged)["context"]["ab_blocks"], 3);
  std::vector<int> indices;
  std::map<std::string, double> aggregate;
  for (const auto& row : (*merged)["benchmarks"]) {
    EXPECT_EQ(row["repetitions"], 4);
    if (row["run_type"] == "iteration") indices.push_back(row["repetition_index"].get<int>());
    if (row["run_type"] == "aggregate") aggregate[row["aggregate_name"].get<std::string>()] = row["real_time"].get<double>();
  }
  EXPECT_EQ(indices, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_DOUBLE_EQ(aggregate["median"], 3);  // of 1, 5, 3: the failed repetition is left out
  EXPECT_DOUBLE_EQ(aggregate["mean"], 3);
  EXPECT_DOUBLE_EQ(aggregate["stddev"], 2);
  ResultsFile file = parsed(merged->dump());
  ASSERT_NE(file.find("startup/bare/noop"), nullptr);
  EXPECT_EQ(file.find("startup/bare/noop")->repetitions(), 3u);
  EXPECT_EQ(file.find("startup/bare/noop")->failed, 1u);

  std::vector<std::optional<nlohmann::json>> empty(2);
  auto none = merge_blocks(empty, "base/results.json");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().describe().find("base/results.json"), std::string::npos);
}

// bench ab's parts each probe their own backends (bench/harness/manifest.hpp): the side's
// file says which were available, whichever part probed them.
TEST(AbMerge, TakesEachBackendsAvailabilityFromThePartThatProbedIt) {
  auto context = testing::manifest_context();
  context["backends"] = {{"bare", {{"available", true}}}, {"runc", {{"probed", false}}}};
  auto first = nlohmann::json::parse(results_json({{.name = "startup/bare/noop", .real_ms = {1, 2}}}, context));
  context["backends"] = {{"bare", {{"probed", false}}}, {"runc", {{"available", false}, {"reason", "not installed"}}}};
  auto second = nlohmann::json::parse(results_json({{.name = "startup/runc/noop", .real_ms = {3, 4}}}, context));
  auto merged = merge_blocks({first, second}, "new/results.json");
  ASSERT_TRUE(merged) << merged.error().describe();
  const auto& backends = (*merged)["context"]["backends"];
  EXPECT_EQ(backends["bare"]["available"], true);
  EXPECT_EQ(backends["runc"]["available"], false);
  EXPECT_EQ(backends["runc"]["reason"], "not installed");
}

TEST(AbComparison, ASlowdownInOneBenchmarkIsTheOnlyRegressionDespiteDriftBetweenBlocks) {
  Blocks blocks = make_blocks({{"startup/container/noop", 1.20}, {"startup/bare/noop", 1.0}, {"startup/runc/noop", 1.0}}, 12, 3);
  Comparison c = compare_blocks(blocks);
  EXPECT_EQ(c.family_size, 3u);
  EXPECT_EQ(finding(c, "startup/container/noop").verdict, Verdict::kRegression);
  EXPECT_NEAR(*finding(c, "startup/container/noop").change, 0.20, 0.03);
  EXPECT_EQ(finding(c, "startup/container/noop").test, "block-signed-rank-exact");
  EXPECT_EQ(finding(c, "startup/bare/noop").verdict, Verdict::kNoChange);
  EXPECT_EQ(finding(c, "startup/runc/noop").verdict, Verdict::kNoChange);
  EXPECT_TRUE(c.gate_fails());
}

TEST(AbComparison, ASignificantButSmallShiftIsBelowTheMinimumEffect) {
  Blocks blocks = make_blocks({{"startup/container/noop", 1.03}}, 12, 3);
  Comparison c = compare_blocks(blocks);
  const Finding& f = finding(c, "startup/container/noop");
  EXPECT_LT(*f.p_adjusted, 0.01);
  EXPECT_EQ(f.verdict, Verdict::kNoChange);
  EXPECT_NE(f.note.find("threshold"), std::string::npos);
}

TEST(AbComparison, TooFewRepetitionsPerBlockAreInconclusiveAndSaySo) {
  Blocks blocks = make_blocks({{"syscall/bare/getpid", 2.0}}, 3, 1);  // 3 blocks: p >= 2 / 2^3
  Comparison c = compare_blocks(blocks);
  const Finding& f = finding(c, "syscall/bare/getpid");
  EXPECT_EQ(f.verdict, Verdict::kInconclusive);
  EXPECT_NE(f.note.find("cannot reach"), std::string::npos) << f.note;
  EXPECT_NE(f.note.find("--blocks"), std::string::npos) << f.note;
  EXPECT_NEAR(*f.smallest_p, 0.25, 1e-12);
  EXPECT_EQ(c.family_size, 0u);
  EXPECT_FALSE(c.gate_fails());
}

// Raw p 0.006 passes alpha 0.01 alone, but not as one of two tests (Holm: 0.012).
TEST(AbComparison, HolmKeepsAChangeThatOnlyPassesAlphaAloneFromBeingFlagged) {
  Comparison c;
  for (double p : {0.006, 0.3}) {
    Finding f;
    f.benchmark = "b" + std::to_string(p);
    f.metric = "real_time";
    f.direction = Direction::kLowerIsBetter;
    f.change = 0.5;
    f.p_value = p;
    f.smallest_p = 1e-6;
    f.awaiting_family = true;
    c.findings.push_back(f);
  }
  decide_family(c);
  EXPECT_EQ(c.family_size, 2u);
  EXPECT_NEAR(*c.findings[0].p_adjusted, 0.012, 1e-12);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kNoChange);
  EXPECT_EQ(c.count(Verdict::kRegression), 0u);

  c.findings.pop_back();  // alone, the same p-value is a regression
  c.findings[0].awaiting_family = true;
  decide_family(c);
  EXPECT_EQ(c.findings[0].verdict, Verdict::kRegression);
}

// Rows that NEW alone ran (bench ab's NEW-only part): reported with NEW's median, failing
// the gate when they failed, never tested.
TEST(AbComparison, RowsNewAloneRanAreReportedNotTestedAndStillFailTheGate) {
  Blocks blocks = make_blocks({{"startup/bare/noop", 1.0}}, 12, 3);
  Comparison c = compare_blocks(blocks);
  ASSERT_FALSE(c.gate_fails());
  ResultsFile only = parsed(results_json({{.name = "syscall/bare/getpid", .real_ms = {1, 2, 3}},
                                          {.name = "syscall/runc/getpid", .real_ms = {1}, .error_message = "boom",
                                           .failed_repetitions = 2}}));
  add_new_only(c, only, "NEW only: why");
  const Finding& measured = finding(c, "syscall/bare/getpid");
  EXPECT_EQ(measured.verdict, Verdict::kInconclusive);
  EXPECT_EQ(measured.note, "NEW only: why");
  ASSERT_TRUE(measured.new_value);
  EXPECT_NEAR(*measured.new_value, 2e-3, 1e-12);
  EXPECT_EQ(measured.new_n, 3u);
  EXPECT_FALSE(measured.base_value || measured.p_value || measured.p_adjusted);
  EXPECT_EQ(finding(c, "syscall/runc/getpid").verdict, Verdict::kFailed);
  EXPECT_EQ(c.family_size, 1u);  // only the compared row
  EXPECT_TRUE(c.gate_fails());
  EXPECT_EQ(action_benchmark_json(c, false).size(), 2u);  // bare noop and NEW's getpid
}

TEST(AbOutputs, MarkdownStatesVerdictsFalseAlarmRateAndWhatWasNotDecided) {
  Blocks blocks = make_blocks({{"startup/container/noop", 1.20}, {"startup/bare/noop", 1.0}}, 12, 3);
  Comparison c = compare_blocks(blocks);
  c.findings.push_back({.benchmark = "syscall/bare/getpid", .metric = "real_time", .verdict = Verdict::kInconclusive,
                        .note = "3 block(s) of 1 + 1 repetitions cannot reach p < 0.01"});
  std::string md = markdown_summary(c, {"base-build", "new-build", {"BASE `old`: it has no side server mode"}});
  EXPECT_NE(md.find("**Note:** BASE `old`: it has no side server mode"), std::string::npos) << md;
  EXPECT_NE(md.find("## isobench A/B: 1 regression(s)"), std::string::npos) << md;
  EXPECT_NE(md.find("`base-build`"), std::string::npos);
  EXPECT_NE(md.find("**Expected false alarms:** Holm-Bonferroni over the 2 benchmark(s)"), std::string::npos) << md;
  EXPECT_NE(md.find("at most 1%"), std::string::npos);
  EXPECT_NE(md.find("**Not decided:** 1 benchmark(s)"), std::string::npos) << md;
  EXPECT_NE(md.find("| `startup/container/noop` |"), std::string::npos);
  EXPECT_NE(md.find("**regression**"), std::string::npos);
  EXPECT_NE(md.find("<details>"), std::string::npos);
}

TEST(AbOutputs, ActionBenchmarkJsonHasOneEntryPerMeasuredBenchmarkInMicroseconds) {
  Blocks blocks = make_blocks({{"startup/container/noop", 1.20}, {"startup/bare/noop", 1.0}}, 12, 3);
  Comparison c = compare_blocks(blocks);
  nlohmann::json smaller = action_benchmark_json(c, false);
  ASSERT_EQ(smaller.size(), 2u);
  for (const auto& entry : smaller) {
    EXPECT_TRUE(entry["name"].is_string());
    EXPECT_EQ(entry["unit"], "us");
    EXPECT_TRUE(entry["value"].is_number());
    EXPECT_TRUE(entry["extra"].is_string());
  }
  const Finding& f = finding(c, "startup/container/noop");
  EXPECT_EQ(smaller[0]["name"], "startup/container/noop");
  EXPECT_NEAR(smaller[0]["value"].get<double>(), *f.new_value * 1e6, 1e-6);
  EXPECT_NE(smaller[0]["extra"].get<std::string>().find("regression"), std::string::npos);
  EXPECT_TRUE(action_benchmark_json(c, true).empty());  // real_time: smaller is better
}

Result<cli::Command> parse(std::vector<std::string_view> args) { return cli::parse_command_line(args); }

TEST(AbOptions, NoSelectionIsTheCiSelectionInQuickMode) {
  auto command = parse({"ab", "base/bench", "new/bench"});
  ASSERT_TRUE(command) << command.error().describe();
  EXPECT_EQ(command->kind, cli::CommandKind::kAb);
  EXPECT_EQ(command->ab.base, "base/bench");
  EXPECT_EQ(command->ab.next, "new/bench");
  EXPECT_TRUE(command->ab.default_selection);
  EXPECT_TRUE(command->ab.selection.quick);
  EXPECT_EQ(command->ab.selection.suites, (std::vector<std::string>{"startup", "syscall", "cpu"}));
  EXPECT_EQ(command->ab.selection.backends, (std::vector<std::string>{"bare", "container", "crun", "runc"}));
  EXPECT_EQ(command->ab.blocks, 40);
  // Compared: the startup rows, with more repetitions for the cheap launches, the process
  // and the container rows apart; the rows --quick's repetitions cannot decide run in NEW only.
  const auto& parts = command->ab.parts;
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_TRUE(parts[0].compared);
  EXPECT_EQ(parts[0].selection.backends, (std::vector<std::string>{"bare"}));
  EXPECT_EQ(parts[0].selection.suites, (std::vector<std::string>{"startup"}));
  EXPECT_EQ(parts[0].selection.repetitions, 100);
  EXPECT_EQ(parts[1].selection.backends, (std::vector<std::string>{"container"}));
  EXPECT_EQ(parts[1].selection.repetitions, 200);
  EXPECT_TRUE(parts[2].compared);
  EXPECT_EQ(parts[2].selection.backends, (std::vector<std::string>{"crun", "runc"}));
  EXPECT_EQ(parts[2].selection.repetitions, 12);
  EXPECT_FALSE(parts[3].compared);
  EXPECT_EQ(parts[3].selection.suites, (std::vector<std::string>{"syscall", "cpu"}));
  EXPECT_EQ(parts[3].selection.backends, command->ab.selection.backends);
  EXPECT_TRUE(parts[3].selection.quick);
  EXPECT_FALSE(parts[3].selection.repetitions);
}

TEST(AbOptions, RepetitionsWithNoSelectionCompareTheWholeCiSelection) {
  auto command = parse({"ab", "base/bench", "new/bench", "--repetitions", "12"});
  ASSERT_TRUE(command) << command.error().describe();
  ASSERT_EQ(command->ab.parts.size(), 1u);
  EXPECT_TRUE(command->ab.parts[0].compared);
  EXPECT_EQ(command->ab.parts[0].selection.repetitions, 12);
  EXPECT_EQ(command->ab.parts[0].selection.suites, (std::vector<std::string>{"startup", "syscall", "cpu"}));
}

TEST(AbOptions, SelectionAndOwnFlagsAreTaken) {
  auto command = parse({"ab", "main", "HEAD", "--backend", "bare", "--suite=startup", "--repetitions", "6", "--blocks",
                        "3", "--threshold", "10%", "--alpha", "0.05", "--out", "ab-out", "--rootfs", "chroot"});
  ASSERT_TRUE(command) << command.error().describe();
  const cli::AbRun& ab = command->ab;
  EXPECT_FALSE(ab.default_selection);
  EXPECT_FALSE(ab.selection.quick);
  EXPECT_EQ(ab.selection.repetitions, 6);
  EXPECT_EQ(ab.blocks, 3);
  EXPECT_DOUBLE_EQ(ab.threshold_pct, 10);
  EXPECT_DOUBLE_EQ(ab.alpha, 0.05);
  EXPECT_EQ(*ab.selection.out, "ab-out");
  EXPECT_EQ(ab.backend_args, (std::vector<std::string>{"--rootfs=chroot"}));
  ASSERT_EQ(ab.parts.size(), 1u);  // a selection given is compared as it is
  EXPECT_TRUE(ab.parts[0].compared);
  EXPECT_EQ(ab.parts[0].selection.backends, (std::vector<std::string>{"bare"}));
  EXPECT_EQ(ab.parts[0].selection.repetitions, 6);
}

TEST(AbOptions, BadInputIsAOneLineErrorNamingIt) {
  for (std::vector<std::string_view> args :
       {std::vector<std::string_view>{"ab", "only-one"}, {"ab", "a", "b", "c"}, {"ab", "a", "b", "--blocks", "0"},
        {"ab", "a", "b", "--alpha", "2"}, {"ab", "a", "b", "--repetition-slice", "0/2"}, {"ab", "a", "b", "--bogus"},
        {"ab", "a", "b", "--suite", "nosuch"}}) {
    auto command = parse(args);
    ASSERT_FALSE(command) << args.back();
    std::string message = command.error().describe();
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  auto slice = parse({"--backend", "bare", "--repetition-slice", "2/5"});
  ASSERT_TRUE(slice) << slice.error().describe();
  EXPECT_EQ(slice->suites.slice_index, 2);
  EXPECT_EQ(slice->suites.slice_count, 5);
  EXPECT_FALSE(parse({"--backend", "bare", "--repetition-slice", "5/5"}));
  EXPECT_FALSE(parse({"--backend", "bare", "--repetition-slice", "x"}));
}

// The side server's command: backend flags only (the selection comes per request).
TEST(AbOptions, AbSideTakesBackendFlagsOnly) {
  auto side = parse({"ab-side", "--rootfs", "chroot"});
  ASSERT_TRUE(side) << side.error().describe();
  EXPECT_EQ(side->kind, cli::CommandKind::kAbSide);
  EXPECT_EQ(side->backend_flags.rootfs_mode, "chroot");
  auto bad = parse({"ab-side", "--backend", "bare"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().describe().find("--backend"), std::string::npos);
}

}  // namespace
}  // namespace isobench::compare
