#include "ci_outputs.hpp"

#include <cmath>

#include "bench/results/format.hpp"
#include "verdict_table.hpp"

namespace isobench::compare {
namespace {

using results::format_double;

std::string signed_pct(double fraction) { return format_double("%+.1f%%", fraction * 100); }

std::string p_text(const std::optional<double>& p) {
  if (!p) return "-";
  if (*p < 1e-4) return "<0.0001";
  return format_double("%.4f", *p);
}

// A Markdown table cell: pipes would end the cell early.
std::string cell(std::string text) {
  for (std::size_t at = text.find('|'); at != std::string::npos; at = text.find('|', at + 2)) text.replace(at, 1, "\\|");
  return text;
}

std::string table(const Comparison& comparison, bool only_changes) {
  std::string out = "| benchmark | base | new | change | p (Holm) | verdict |\n|---|---:|---:|---:|---:|---|\n";
  for (const Finding& f : comparison.findings) {
    bool change = f.verdict == Verdict::kRegression || f.verdict == Verdict::kImprovement;
    if (only_changes && !change) continue;
    std::string verdict(to_string(f.verdict));
    if (f.verdict == Verdict::kRegression) verdict = "**regression**";
    if (!f.note.empty()) verdict += ": " + f.note;
    out += "| `" + cell(f.benchmark) + "` | " + (f.base_value ? cell(format_value(f.metric, *f.base_value)) : "-") +
           " | " + (f.new_value ? cell(format_value(f.metric, *f.new_value)) : "-") + " | " +
           (f.change ? signed_pct(*f.change) : "-") + " | " + p_text(f.p_adjusted) + " | " + cell(verdict) + " |\n";
  }
  return out;
}

}  // namespace

std::string markdown_summary(const Comparison& comparison, const SummaryInputs& inputs) {
  const CompareSettings& s = comparison.settings;
  std::size_t regressions = comparison.count(Verdict::kRegression);
  std::size_t failed = comparison.count(Verdict::kFailed);
  std::string out = "## isobench A/B: ";
  if (regressions > 0 || failed > 0)
    out += std::to_string(regressions) + " regression(s)" + (failed ? ", " + std::to_string(failed) + " failed" : "") + "\n\n";
  else
    out += "no regression\n\n";
  out += "BASE `" + cell(inputs.base_label) + "` against NEW `" + cell(inputs.new_label) + "`, " + comparison.design +
         ". A change counts when it is at least " + format_double("%g", s.threshold * 100) +
         "% and significant at alpha " + format_double("%g", s.alpha) + " after the correction below.\n\n";
  for (const auto& note : inputs.notes) out += "**Note:** " + cell(note) + "\n\n";
  out += summary_line(comparison) + "\n\n";
  out += "**Expected false alarms:** Holm-Bonferroni over the " + std::to_string(comparison.family_size) +
         " benchmark(s) tested: a run of unchanged code flags anything with probability at most " +
         format_double("%g", s.alpha * 100) + "%.\n";
  std::size_t inconclusive = comparison.count(Verdict::kInconclusive);
  if (inconclusive > 0)
    out += "\n**Not decided:** " + std::to_string(inconclusive) +
           " benchmark(s) have too few repetitions to ever reach p < alpha (each row says how many it had); "
           "this run says nothing about them. More `--repetitions` decide them.\n";
  if (comparison.below_holm_reach > 0)
    out += "\n**Weakly tested:** " + std::to_string(comparison.below_holm_reach) +
           " tested benchmark(s) cannot reach the strictest Holm level (alpha / " +
           std::to_string(comparison.family_size) + ") with their repetitions.\n";
  if (regressions + comparison.count(Verdict::kImprovement) > 0) out += "\n" + table(comparison, true);
  out += "\n<details><summary>All " + std::to_string(comparison.findings.size()) + " findings</summary>\n\n" +
         table(comparison, false) + "\n</details>\n";
  return out;
}

nlohmann::json action_benchmark_json(const Comparison& comparison, bool bigger_is_better) {
  nlohmann::json out = nlohmann::json::array();
  Direction wanted = bigger_is_better ? Direction::kHigherIsBetter : Direction::kLowerIsBetter;
  for (const Finding& f : comparison.findings) {
    if (!f.new_value || f.direction != wanted) continue;
    bool time = f.metric == kRealTime;
    double scale = time ? 1e6 : 1;
    nlohmann::json entry = {
        {"name", f.metric == kRealTime ? f.benchmark : f.benchmark + " " + f.metric},
        {"unit", time ? "us" : f.metric},
        {"value", *f.new_value * scale},
    };
    std::string extra = std::string(to_string(f.verdict));
    if (f.change) extra += ", change " + signed_pct(*f.change) + " vs base";
    if (f.p_adjusted) extra += ", p (Holm) " + p_text(f.p_adjusted);
    extra += ", " + std::to_string(f.new_n) + " repetitions";
    entry["extra"] = extra;
    if (f.base_value) entry["extra"] = extra + ", base " + format_double("%.6g", *f.base_value * scale);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace isobench::compare
