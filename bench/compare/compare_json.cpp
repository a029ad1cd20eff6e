#include "compare_json.hpp"

namespace isobench::compare {
namespace {

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

nlohmann::json finding_json(const Finding& f) {
  nlohmann::json out = {
      {"benchmark", f.benchmark},
      {"metric", f.metric.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.metric)},
      {"verdict", to_string(f.verdict)},
      {"direction", f.direction ? nlohmann::json(to_string(*f.direction)) : nlohmann::json(nullptr)},
      {"base", optional_number(f.base_value)},
      {"new", optional_number(f.new_value)},
      {"change", optional_number(f.change)},
      {"change_ci_low", f.change_ci ? nlohmann::json(f.change_ci->low) : nlohmann::json(nullptr)},
      {"change_ci_high", f.change_ci ? nlohmann::json(f.change_ci->high) : nlohmann::json(nullptr)},
      {"ci_level", f.change_ci ? nlohmann::json(f.change_ci->level) : nlohmann::json(nullptr)},
      {"p_value", optional_number(f.p_value)},
      {"p_adjusted", optional_number(f.p_adjusted)},
      {"smallest_p", optional_number(f.smallest_p)},
      {"test", f.test.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.test)},
      {"base_repetitions", f.base_n},
      {"new_repetitions", f.new_n},
      {"base_cv", f.base_cv},
      {"new_cv", f.new_cv},
      {"note", f.note},
  };
  return out;
}

}  // namespace

nlohmann::json to_json(const Comparison& comparison, const CompareInputs& inputs) {
  auto testbed = [](const std::string& fingerprint) {
    return fingerprint.empty() ? nlohmann::json(nullptr) : nlohmann::json(fingerprint);
  };
  const CompareSettings& s = comparison.settings;
  nlohmann::json findings = nlohmann::json::array();
  for (const Finding& f : comparison.findings) findings.push_back(finding_json(f));
  nlohmann::json summary = nlohmann::json::object();
  for (Verdict v : {Verdict::kRegression, Verdict::kImprovement, Verdict::kNoChange, Verdict::kInconclusive,
                    Verdict::kFailed, Verdict::kSkipped, Verdict::kNew, Verdict::kMissing})
    summary[std::string(to_string(v))] = comparison.count(v);
  return {
      {"isobench_compare", 1},
      {"base", {{"file", inputs.base_file}, {"testbed", testbed(inputs.base_testbed)}}},
      {"new", {{"file", inputs.new_file}, {"testbed", testbed(inputs.new_testbed)}}},
      {"settings",
       {{"alpha", s.alpha},
        {"threshold", s.threshold},
        {"normalize", s.normalize_bare ? nlohmann::json("bare") : nlohmann::json(nullptr)},
        {"metrics", s.metrics.empty() ? nlohmann::json::array({"real_time"}) : nlohmann::json(s.metrics)},
        {"resamples", s.resamples},
        {"design", comparison.design}}},
      {"family",
       {{"correction", "holm-bonferroni"},
        {"tests", comparison.family_size},
        {"below_holm_reach", comparison.below_holm_reach},
        // Holm's promise: a comparison of unchanged code flags anything with probability
        // at most alpha (an upper bound; the threshold makes it smaller still).
        {"false_alarm_rate_at_most", s.alpha}}},
      {"findings", std::move(findings)},
      {"summary", std::move(summary)},
      {"exit_code", comparison.gate_fails() ? 1 : 0},
  };
}

}  // namespace isobench::compare
