#include "comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "bench/stats/descriptive.hpp"
#include "bench/stats/hypothesis.hpp"
#include "bench/stats/multiple_testing.hpp"
#include "bench/results/names.hpp"
#include "runtimes/common/quote.hpp"

namespace isobench::compare {

Finding make_finding(const std::string& benchmark, const std::string& metric, Verdict verdict, std::string note) {
  Finding finding;
  finding.benchmark = benchmark;
  finding.metric = metric;
  finding.verdict = verdict;
  if (!metric.empty()) finding.direction = direction_of(metric);
  finding.note = std::move(note);
  return finding;
}

namespace {

// The bootstrap needs a few values per sample before its interval means anything.
constexpr std::size_t kMinBootstrapSample = 5;

std::string format_p(double p) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", p);
  return buffer;
}

std::string format_pct(double fraction) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g%%", fraction * 100);
  return buffer;
}

const std::vector<double>* samples_of(const BenchmarkSamples& benchmark, const std::string& metric) {
  auto it = benchmark.metrics.find(metric);
  return it == benchmark.metrics.end() || it->second.empty() ? nullptr : &it->second;
}

Result<std::vector<std::string>> metrics_to_judge(const ResultsFile& base, const ResultsFile& next,
                                                  const CompareSettings& settings) {
  if (settings.metrics.empty()) return std::vector<std::string>{std::string(kRealTime)};
  std::vector<std::string> out;
  bool all = std::find(settings.metrics.begin(), settings.metrics.end(), "all") != settings.metrics.end();
  if (all) {
    std::set<std::string> names;
    for (const ResultsFile* file : {&base, &next})
      for (const auto& benchmark : file->benchmarks)
        for (const auto& [metric, values] : benchmark.metrics)
          if (direction_of(metric) && metric != kRealTime) names.insert(metric);
    out.emplace_back(kRealTime);
    out.insert(out.end(), names.begin(), names.end());
    return out;
  }
  for (const auto& metric : settings.metrics) {
    if (!direction_of(metric))
      return fail("--metric " + quote_input(metric) +
                  ": its name does not say whether lower or higher is better "
                  "(units: _s, _bytes lower is better; _per_s higher is better)");
    bool present = false;
    for (const ResultsFile* file : {&base, &next})
      for (const auto& benchmark : file->benchmarks) present = present || benchmark.metrics.contains(metric);
    if (!present) return fail("--metric " + quote_input(metric) + ": in neither " + base.source + " nor " + next.source);
    if (std::find(out.begin(), out.end(), metric) == out.end()) out.push_back(metric);
  }
  return out;
}

// Sets the verdict of a finding whose change, adjusted p-value and direction are known.
void classify(Finding& finding, const CompareSettings& settings, std::size_t family_size) {
  double change = *finding.change;
  bool significant = *finding.p_adjusted < settings.alpha;
  bool large = std::abs(change) >= settings.threshold * (1 - 1e-9);
  bool worse = finding.direction == Direction::kLowerIsBetter ? change > 0 : change < 0;
  if (significant && large) {
    finding.verdict = worse ? Verdict::kRegression : Verdict::kImprovement;
  } else {
    finding.verdict = Verdict::kNoChange;
    std::string test_note = std::move(finding.note);  // what the test itself said, kept after the reason
    if (!significant)
      finding.note = "not significant (p " + format_p(*finding.p_value) + ", Holm-adjusted over " +
                     std::to_string(family_size) + " tests " + format_p(*finding.p_adjusted) + " >= alpha " +
                     format_p(settings.alpha) + ")";
    else
      finding.note = "within the " + format_pct(settings.threshold) + " threshold";
    if (!test_note.empty()) finding.note += "; " + test_note;
  }
  if (finding.base_cv > settings.noisy_cv || finding.new_cv > settings.noisy_cv) {
    std::string noisy = "noisy: CV " + format_pct(finding.base_cv) + " -> " + format_pct(finding.new_cv);
    finding.note = finding.note.empty() ? noisy : finding.note + "; " + noisy;
  }
}

Finding judge_absolute(const std::string& name, const std::string& metric, const std::vector<double>& base,
                       const std::vector<double>& next, const CompareSettings& settings) {
  Finding finding = make_finding(name, metric, Verdict::kNoChange);
  finding.base_n = base.size();
  finding.new_n = next.size();
  finding.base_cv = stats::coefficient_of_variation(base);
  finding.new_cv = stats::coefficient_of_variation(next);
  double base_median = stats::median(base), new_median = stats::median(next);
  finding.base_value = base_median;
  finding.new_value = new_median;
  if (!(base_median > 0)) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = "BASE median is not positive: no relative change";
    return finding;
  }
  finding.change = new_median / base_median - 1;
  double smallest = stats::mann_whitney_smallest_p(base.size(), next.size());
  finding.smallest_p = smallest;
  if (smallest >= settings.alpha) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = std::to_string(base.size()) + " and " + std::to_string(next.size()) +
                   " repetitions cannot reach p < " + format_p(settings.alpha) + "; run with more --repetitions";
    return finding;
  }
  stats::TestResult test = stats::mann_whitney_u(base, next);
  finding.p_value = test.p_value;
  finding.test = test.exact ? "mann-whitney-exact" : "mann-whitney-normal";
  // The interval that matches the test (it excludes 0 exactly when p < alpha); where it
  // cannot be had (a zero value, huge samples), the bootstrap of the ratio of medians.
  if (auto shift = stats::mann_whitney_ratio_ci(base, next, 1 - settings.alpha))
    finding.change_ci = stats::Interval{shift->low - 1, shift->high - 1, shift->level};
  else if (auto ratio = stats::ratio_of_medians(next, base, 1 - settings.alpha, settings.resamples))
    finding.change_ci = stats::Interval{ratio->ci.low - 1, ratio->ci.high - 1, ratio->ci.level};
  finding.awaiting_family = true;
  return finding;
}

std::vector<double> ratios_to(const std::vector<double>& values, double reference) {
  std::vector<double> out;
  out.reserve(values.size());
  for (double v : values) out.push_back(v / reference);
  return out;
}

Finding judge_normalized(const std::string& name, const std::string& metric, const std::vector<double>& base_x,
                         const std::vector<double>& base_ref, const std::vector<double>& new_x,
                         const std::vector<double>& new_ref, const CompareSettings& settings,
                         std::size_t family_estimate) {
  Finding finding = make_finding(name, metric, Verdict::kNoChange);
  finding.base_n = base_x.size();
  finding.new_n = new_x.size();
  double base_ref_median = stats::median(base_ref), new_ref_median = stats::median(new_ref);
  if (!(base_ref_median > 0) || !(new_ref_median > 0) || !(stats::median(base_x) > 0)) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = "a median is not positive: no ratio to bare";
    return finding;
  }
  finding.base_value = stats::median(base_x) / base_ref_median;
  finding.new_value = stats::median(new_x) / new_ref_median;
  finding.base_cv = stats::coefficient_of_variation(ratios_to(base_x, base_ref_median));
  finding.new_cv = stats::coefficient_of_variation(ratios_to(new_x, new_ref_median));
  finding.change = *finding.new_value / *finding.base_value - 1;
  for (const auto* sample : {&base_x, &base_ref, &new_x, &new_ref}) {
    if (sample->size() < kMinBootstrapSample) {
      finding.verdict = Verdict::kInconclusive;
      finding.note = "fewer than " + std::to_string(kMinBootstrapSample) +
                     " repetitions of it or of its bare counterpart; run with more --repetitions";
      return finding;
    }
  }
  // The bootstrap p-value cannot go below 2 / (resamples + 1): enough draws for the
  // strictest Holm threshold, alpha / family.
  double needed = 20 * static_cast<double>(std::max<std::size_t>(1, family_estimate)) / settings.alpha;
  int resamples = std::max(settings.resamples, static_cast<int>(std::min(200000.0, std::ceil(needed))));
  finding.smallest_p = 2.0 / (resamples + 1);
  auto change = stats::ratio_change(base_x, base_ref, new_x, new_ref, 1 - settings.alpha, resamples);
  if (!change) {
    finding.verdict = Verdict::kInconclusive;
    finding.note = "no ratio to bare could be resampled";
    return finding;
  }
  finding.p_value = change->p_value;
  finding.change_ci = stats::Interval{change->ci.low - 1, change->ci.high - 1, change->ci.level};
  finding.test = "bootstrap-ratio";
  finding.awaiting_family = true;
  return finding;
}

// The findings for one benchmark present in both files.
void judge_benchmark(const BenchmarkSamples& base, const BenchmarkSamples& next, const ResultsFile& base_file,
                     const ResultsFile& next_file, const std::vector<std::string>& metrics,
                     const CompareSettings& settings, std::size_t family_estimate, std::vector<Finding>& out) {
  if (next.failed > 0) {
    bool unavailable = next.unavailable == next.failed;
    Finding finding = make_finding(next.name, "", unavailable ? Verdict::kSkipped : Verdict::kFailed,
                                  (unavailable ? "" : std::to_string(next.failed) + " repetition(s) failed: ") +
                                      next.error_message);
    finding.base_n = base.repetitions();
    finding.new_n = next.repetitions();
    out.push_back(std::move(finding));
    return;
  }
  if (base.repetitions() == 0) {
    Finding finding = make_finding(next.name, "", Verdict::kInconclusive,
                                  "no successful repetition in BASE: " + base.error_message);
    finding.new_n = next.repetitions();
    out.push_back(std::move(finding));
    return;
  }
  std::optional<std::string> bare;
  if (settings.normalize_bare) {
    bare = bare_counterpart(next.name);
    if (!bare) return;  // bare rows are the reference, not judged
  }
  const BenchmarkSamples* base_ref = bare ? base_file.find(*bare) : nullptr;
  const BenchmarkSamples* new_ref = bare ? next_file.find(*bare) : nullptr;
  for (const auto& metric : metrics) {
    const auto* base_values = samples_of(base, metric);
    const auto* new_values = samples_of(next, metric);
    if (!base_values && !new_values) continue;  // not every benchmark has every counter
    if (!base_values || !new_values) {
      out.push_back(make_finding(next.name, metric, Verdict::kInconclusive,
                                std::string("metric only in ") + (base_values ? "BASE" : "NEW")));
      continue;
    }
    if (!settings.normalize_bare) {
      out.push_back(judge_absolute(next.name, metric, *base_values, *new_values, settings));
      continue;
    }
    const auto* base_ref_values = base_ref ? samples_of(*base_ref, metric) : nullptr;
    const auto* new_ref_values = new_ref ? samples_of(*new_ref, metric) : nullptr;
    if (!base_ref_values || !new_ref_values) {
      out.push_back(make_finding(next.name, metric, Verdict::kInconclusive,
                                "no " + *bare + " with " + metric + " in " + (!base_ref_values ? "BASE" : "NEW") +
                                    " to normalize by"));
      continue;
    }
    out.push_back(judge_normalized(next.name, metric, *base_values, *base_ref_values, *new_values, *new_ref_values,
                                   settings, family_estimate));
  }
}

}  // namespace

std::string_view to_string(Verdict verdict) {
  switch (verdict) {
    case Verdict::kRegression: return "regression";
    case Verdict::kImprovement: return "improvement";
    case Verdict::kNoChange: return "no change";
    case Verdict::kInconclusive: return "inconclusive";
    case Verdict::kFailed: return "failed";
    case Verdict::kSkipped: return "skipped";
    case Verdict::kNew: return "new";
    case Verdict::kMissing: return "missing";
  }
  return "?";
}

void decide_family(Comparison& comparison) {
  std::vector<Finding*> family;
  for (Finding& f : comparison.findings)
    if (f.awaiting_family) family.push_back(&f);
  std::vector<double> raw;
  for (const Finding* f : family) raw.push_back(*f->p_value);
  std::vector<double> adjusted = stats::holm_adjust(raw);
  comparison.family_size = family.size();
  comparison.below_holm_reach = 0;
  double strictest = comparison.settings.alpha / static_cast<double>(std::max<std::size_t>(1, family.size()));
  for (std::size_t i = 0; i < family.size(); ++i) {
    Finding& f = *family[i];
    f.p_adjusted = adjusted[i];
    f.awaiting_family = false;
    if (f.smallest_p && *f.smallest_p >= strictest) ++comparison.below_holm_reach;
    classify(f, comparison.settings, family.size());
  }
}

std::size_t Comparison::count(Verdict verdict) const {
  return static_cast<std::size_t>(
      std::count_if(findings.begin(), findings.end(), [&](const Finding& f) { return f.verdict == verdict; }));
}

Result<Comparison> compare_results(const ResultsFile& base, const ResultsFile& next, const CompareSettings& settings) {
  auto metrics = metrics_to_judge(base, next, settings);
  if (!metrics) return std::unexpected(metrics.error());
  Comparison comparison;
  comparison.settings = settings;
  std::size_t in_common = 0;
  // How many tests the family will hold, at most: the bootstrap sizes its draws by it.
  std::size_t family_estimate = 0;
  for (const auto& base_benchmark : base.benchmarks)
    if (next.find(base_benchmark.name)) family_estimate += metrics->size();
  for (const auto& base_benchmark : base.benchmarks) {
    const BenchmarkSamples* next_benchmark = next.find(base_benchmark.name);
    if (!next_benchmark) {
      Finding finding = make_finding(base_benchmark.name, "", Verdict::kMissing, "in BASE only");
      finding.base_n = base_benchmark.repetitions();
      comparison.findings.push_back(std::move(finding));
      continue;
    }
    ++in_common;
    judge_benchmark(base_benchmark, *next_benchmark, base, next, *metrics, settings, family_estimate,
                    comparison.findings);
  }
  for (const auto& next_benchmark : next.benchmarks) {
    if (base.find(next_benchmark.name)) continue;
    Finding finding = make_finding(next_benchmark.name, "", Verdict::kNew, "in NEW only");
    finding.new_n = next_benchmark.repetitions();
    comparison.findings.push_back(std::move(finding));
  }
  if (in_common == 0) return fail("no benchmark in common between " + base.source + " and " + next.source);
  if (settings.normalize_bare) {
    bool judged = std::any_of(comparison.findings.begin(), comparison.findings.end(), [](const Finding& f) {
      return f.verdict != Verdict::kNew && f.verdict != Verdict::kMissing && bare_counterpart(f.benchmark);
    });
    if (!judged) return fail("--normalize bare: no benchmark other than bare ones in common to normalize");
  }
  decide_family(comparison);
  return comparison;
}

}  // namespace isobench::compare
