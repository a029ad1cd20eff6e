// Error control over a family of tests: one `bench compare` or `bench ab` judges tens of
// benchmarks at once, and at alpha 0.01 each, 42 independent tests of unchanged code
// raise at least one false alarm in 1 - 0.99^42 = 34% of runs.
//
// Holm-Bonferroni (Holm 1979) rather than Benjamini-Hochberg: a CI gate fails a build on
// a single flagged benchmark, so the promise that matters is the family-wise error rate
// (the chance that a run of unchanged code fails at all, at most alpha), not the false
// discovery rate (the expected share of false flags among the flagged, which lets a run
// of unchanged code fail whenever nothing real is there to dilute it). Holm makes that
// promise under any dependence between the benchmarks and is uniformly more powerful
// than plain Bonferroni.
#pragma once

#include <span>
#include <vector>

namespace isobench::stats {

// Holm's adjusted p-values, in the order given: the i-th smallest p becomes
// max over j <= i of min(1, (m - j + 1) p_(j)). A test is rejected at family-wise level
// alpha exactly when its adjusted p-value is below alpha. Empty in, empty out.
std::vector<double> holm_adjust(std::span<const double> p_values);

}  // namespace isobench::stats
