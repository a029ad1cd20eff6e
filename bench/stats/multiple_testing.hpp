// Error control over a family of tests: one `bench compare` or `bench ab` judges tens of
// benchmarks at once, and at alpha 0.01 each, 42 independent tests of unchanged code
// raise at least one false alarm in 1 - 0.99^42 = 34% of runs.
//
// Holm-Bonferroni (Holm 1979) rather than Benjamini-Hochberg: a CI gate fails a build on
// a single flagged benchmark and each flagged row is a cause someone will chase, so the
// promise that matters is the family-wise error rate (with probability >= 1 - alpha no
// flagged row is false), not the false discovery rate (the expected share of false rows
// among the flagged: the same promise when nothing changed, but once one real change is
// flagged it lets false ones ride along). Holm makes that promise under any dependence
// between the benchmarks and is uniformly more powerful than plain Bonferroni.
#pragma once

#include <span>
#include <vector>

namespace isobench::stats {

// Holm's adjusted p-values, in the order given: the i-th smallest p becomes
// max over j <= i of min(1, (m - j + 1) p_(j)). A test is rejected at family-wise level
// alpha exactly when its adjusted p-value is below alpha. Empty in, empty out.
std::vector<double> holm_adjust(std::span<const double> p_values);

}  // namespace isobench::stats
