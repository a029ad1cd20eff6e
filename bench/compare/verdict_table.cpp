#include "verdict_table.hpp"

#include "bench/results/format.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace isobench::compare {
namespace {

using results::format_double;

std::string signed_pct(double fraction) {
  double pct = fraction * 100;
  if (std::abs(pct) >= 1000) return format_double("%+.0f%%", pct);
  return format_double(std::abs(pct) >= 10 ? "%+.1f%%" : "%+.2f%%", pct);
}

std::string value_text(const Comparison& comparison, const Finding& f, const std::optional<double>& value) {
  if (!value) return "-";
  if (comparison.settings.normalize_bare) return format_double("%.3gx bare", *value);
  return format_value(f.metric, *value);
}

std::string p_text(const std::optional<double>& p) {
  if (!p) return "-";
  if (*p < 1e-4) return "<0.0001";
  return format_double("%.4f", *p);
}

std::string ci_text(const std::optional<stats::Interval>& ci) {
  if (!ci) return "-";
  return "[" + signed_pct(ci->low) + ", " + signed_pct(ci->high) + "]";
}

}  // namespace

std::string summary_line(const Comparison& comparison) {
  std::string out;
  auto add = [&](Verdict verdict, const char* one, const char* many) {
    std::size_t n = comparison.count(verdict);
    if (n == 0 && verdict != Verdict::kRegression && verdict != Verdict::kImprovement && verdict != Verdict::kNoChange)
      return;
    if (!out.empty()) out += ", ";
    out += std::to_string(n) + " " + (n == 1 ? one : many);
  };
  add(Verdict::kRegression, "regression", "regressions");
  add(Verdict::kImprovement, "improvement", "improvements");
  add(Verdict::kNoChange, "no change", "no change");
  add(Verdict::kInconclusive, "inconclusive", "inconclusive");
  add(Verdict::kFailed, "failed", "failed");
  add(Verdict::kSkipped, "skipped", "skipped");
  add(Verdict::kNew, "new", "new");
  add(Verdict::kMissing, "missing", "missing");
  const CompareSettings& s = comparison.settings;
  out += " (alpha " + format_double("%g", s.alpha) + ", threshold " + format_double("%g", s.threshold * 100) + "%";
  out += s.normalize_bare ? ", ratios to bare" : ", absolute medians";
  out += ")";
  return out;
}

std::string family_line(const Comparison& comparison) {
  const CompareSettings& s = comparison.settings;
  std::string out = "error control: Holm-Bonferroni over " + std::to_string(comparison.family_size) +
                    " test(s) (" + comparison.design + "): the chance that a run of unchanged code flags anything is at most " +
                    format_double("%g", s.alpha * 100) + "%";
  std::size_t unreachable = comparison.count(Verdict::kInconclusive);
  if (unreachable > 0)
    out += "; " + std::to_string(unreachable) + " inconclusive (too few repetitions to reach p < alpha, see notes)";
  if (comparison.below_holm_reach > 0)
    out += "; " + std::to_string(comparison.below_holm_reach) + " tested benchmark(s) cannot reach the strictest Holm level " +
           format_double("%.2g", s.alpha / static_cast<double>(std::max<std::size_t>(1, comparison.family_size))) +
           " with their repetitions: more --repetitions would let them be flagged on their own";
  return out;
}

std::string verdict_table(const Comparison& comparison) {
  std::vector<std::vector<std::string>> rows;
  std::string level = format_double("%g", (1 - comparison.settings.alpha) * 100) + "% CI";
  rows.push_back({"benchmark", "metric", "base", "new", "change", level, "p", "p (Holm)", "verdict"});
  for (const Finding& f : comparison.findings) {
    std::string verdict(to_string(f.verdict));
    if (!f.note.empty()) verdict += ": " + f.note;
    rows.push_back({f.benchmark, f.metric.empty() ? "-" : f.metric, value_text(comparison, f, f.base_value),
                    value_text(comparison, f, f.new_value), f.change ? signed_pct(*f.change) : "-",
                    ci_text(f.change_ci), p_text(f.p_value), p_text(f.p_adjusted), verdict});
  }
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t c = 0; c + 1 < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    out += '\n';
  }
  out += summary_line(comparison) + '\n';
  out += family_line(comparison) + '\n';
  return out;
}

}  // namespace isobench::compare
