#include "blocked_comparison.hpp"

#include <cmath>
#include <cstdio>

#include "bench/results/names.hpp"
#include "bench/stats/blocked_test.hpp"
#include "bench/stats/descriptive.hpp"

namespace isobench::compare {
namespace {

std::string format_g(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// "20 block(s) of 5 + 5 repetitions": the blocks the test counts.
std::string describe_blocks(const std::vector<stats::Block>& blocks) {
  std::size_t used = 0, min_side = SIZE_MAX, max_side = 0;
  for (const auto& block : blocks) {
    if (block.base.empty() || block.next.empty()) continue;
    ++used;
    for (std::size_t n : {block.base.size(), block.next.size()}) {
      min_side = std::min(min_side, n);
      max_side = std::max(max_side, n);
    }
  }
  if (used == 0) return "no block with both sides";
  std::string per_side = min_side == max_side ? std::to_string(min_side) : std::to_string(min_side) + "-" + std::to_string(max_side);
  return std::to_string(used) + " block(s) of " + per_side + " + " + per_side + " repetitions";
}

Finding judge(const std::string& name, const std::string& metric, const std::vector<ResultsFile>& base_blocks,
              const std::vector<ResultsFile>& new_blocks, const BenchmarkSamples& base, const BenchmarkSamples& next,
              const CompareSettings& settings) {
  Finding finding = make_finding(name, metric, Verdict::kNoChange, {});
  const std::vector<double>& base_all = base.values(metric);
  const std::vector<double>& new_all = next.values(metric);
  finding.base_n = base_all.size();
  finding.new_n = new_all.size();
  if (base_all.empty() || new_all.empty()) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = std::string("no ") + metric + " in " + (base_all.empty() ? "BASE" : "NEW");
    return finding;
  }
  finding.base_cv = stats::coefficient_of_variation(base_all);
  finding.new_cv = stats::coefficient_of_variation(new_all);
  finding.base_value = stats::median(base_all);
  finding.new_value = stats::median(new_all);

  std::vector<stats::Block> blocks;
  for (std::size_t b = 0; b < base_blocks.size(); ++b) {
    const BenchmarkSamples* in_base = base_blocks[b].measured(name);
    const BenchmarkSamples* in_new = new_blocks[b].measured(name);
    if (!in_base || !in_new) continue;
    blocks.push_back({in_base->values(metric), in_new->values(metric)});
  }
  auto effects = stats::block_log_effects(blocks);
  if (!effects || effects->empty()) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = effects ? "no block with both sides" : "a value that is not positive";
    return finding;
  }
  finding.change = std::exp(*stats::walsh_median(*effects)) - 1;
  double smallest = stats::signed_rank_smallest_p(effects->size());
  finding.smallest_p = smallest;
  if (smallest >= settings.alpha) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = describe_blocks(blocks) + " cannot reach p < " + format_g("%.2g", settings.alpha) +
                   " (smallest p " + format_g("%.2g", smallest) + ", 2 / 2^blocks); run with more --blocks" +
                   " and at least as many --repetitions";
    return finding;
  }
  stats::TestResult test = stats::signed_rank(*effects);
  finding.p_value = test.p_value;
  finding.test = test.exact ? "block-signed-rank-exact" : "block-signed-rank-normal";
  finding.awaiting_family = true;
  return finding;
}

}  // namespace

Result<Comparison> compare_blocked(const std::vector<ResultsFile>& base_blocks, const std::vector<ResultsFile>& new_blocks,
                                   const ResultsFile& base, const ResultsFile& next, const CompareSettings& settings) {
  if (base_blocks.size() != new_blocks.size()) return fail("ab: BASE and NEW ran different numbers of blocks");
  Comparison comparison;
  comparison.settings = settings;
  comparison.design = std::to_string(base_blocks.size()) + " ABBA blocks, signed-rank test of the blocks' effects";
  const std::string metric(kRealTime);
  for (const auto& base_benchmark : base.benchmarks) {
    const BenchmarkSamples* next_benchmark = next.find(base_benchmark.name);
    if (!next_benchmark) {
      Finding finding = make_finding(base_benchmark.name, "", Verdict::kMissing, "in BASE only");
      finding.base_n = base_benchmark.repetitions();
      comparison.findings.push_back(std::move(finding));
      continue;
    }
    if (next_benchmark->failed > 0) {
      bool unavailable = next_benchmark->unavailable == next_benchmark->failed;
      Finding finding = make_finding(
          next_benchmark->name, "", unavailable ? Verdict::kSkipped : Verdict::kFailed,
          (unavailable ? "" : std::to_string(next_benchmark->failed) + " repetition(s) failed: ") + next_benchmark->error_message);
      finding.base_n = base_benchmark.repetitions();
      finding.new_n = next_benchmark->repetitions();
      comparison.findings.push_back(std::move(finding));
      continue;
    }
    if (base_benchmark.repetitions() == 0) {
      Finding finding = make_finding(next_benchmark->name, "", Verdict::kInconclusive,
                                     "no successful repetition in BASE: " + base_benchmark.error_message);
      finding.new_n = next_benchmark->repetitions();
      comparison.findings.push_back(std::move(finding));
      continue;
    }
    comparison.findings.push_back(
        judge(base_benchmark.name, metric, base_blocks, new_blocks, base_benchmark, *next_benchmark, settings));
  }
  for (const auto& next_benchmark : next.benchmarks) {
    if (base.find(next_benchmark.name)) continue;
    Finding finding = make_finding(next_benchmark.name, "", Verdict::kNew, "in NEW only");
    finding.new_n = next_benchmark.repetitions();
    comparison.findings.push_back(std::move(finding));
  }
  decide_family(comparison);
  return comparison;
}

void add_new_only(Comparison& comparison, const ResultsFile& next, const std::string& why) {
  const std::string metric(kRealTime);
  for (const auto& benchmark : next.benchmarks) {
    Finding finding = make_finding(benchmark.name, "", Verdict::kInconclusive, why);
    finding.new_n = benchmark.repetitions();
    if (benchmark.failed > 0) {
      bool unavailable = benchmark.unavailable == benchmark.failed;
      finding.verdict = unavailable ? Verdict::kSkipped : Verdict::kFailed;
      finding.note = (unavailable ? "" : std::to_string(benchmark.failed) + " repetition(s) failed: ") + benchmark.error_message;
    } else if (const std::vector<double>& values = benchmark.values(metric); !values.empty()) {
      finding = make_finding(benchmark.name, metric, Verdict::kInconclusive, why);
      finding.new_n = values.size();
      finding.new_value = stats::median(values);
      finding.new_cv = stats::coefficient_of_variation(values);
    }
    comparison.findings.push_back(std::move(finding));
  }
}

}  // namespace isobench::compare
