"""Medians and their 95% intervals: percentile bootstrap with a fixed seed, so that the
same results folder always gives the same report."""
import numpy as np

LEVEL = 0.95
RESAMPLES = 2000
SEED = 20231  # fixed: reproducible intervals


def median(values):
    return float(np.median(values)) if len(values) else float("nan")


def _resampled_medians(values, rng):
    data = np.asarray(values, dtype=float)
    picks = rng.integers(0, len(data), size=(RESAMPLES, len(data)))
    return np.median(data[picks], axis=1)


def median_ci(values):
    """(median, low, high) of `values`."""
    if len(values) == 0:
        return (float("nan"),) * 3
    if len(values) == 1:
        return (float(values[0]),) * 3
    meds = _resampled_medians(values, np.random.default_rng(SEED))
    tail = (1 - LEVEL) / 2 * 100
    return median(values), float(np.percentile(meds, tail)), float(np.percentile(meds, 100 - tail))


def ratio_ci(numerator, denominator):
    """(ratio of medians, low, high) of numerator/denominator, bootstrapping both samples."""
    if len(numerator) == 0 or len(denominator) == 0 or median(denominator) == 0:
        return (float("nan"),) * 3
    rng = np.random.default_rng(SEED)
    top = _resampled_medians(numerator, rng) if len(numerator) > 1 else np.full(RESAMPLES, numerator[0])
    bottom = _resampled_medians(denominator, rng) if len(denominator) > 1 else np.full(RESAMPLES, denominator[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = top / bottom
    ratios = ratios[np.isfinite(ratios)]
    tail = (1 - LEVEL) / 2 * 100
    point = median(numerator) / median(denominator)
    if len(ratios) == 0:
        return point, float("nan"), float("nan")
    return point, float(np.percentile(ratios, tail)), float(np.percentile(ratios, 100 - tail))


def geomean_ratio_ci(pairs):
    """Geometric mean over benchmarks of numerator/denominator median ratios, with a
    bootstrap interval that resamples every benchmark's repetitions together."""
    pairs = [(n, d) for n, d in pairs if len(n) and len(d) and median(d) > 0 and median(n) > 0]
    if not pairs:
        return (float("nan"),) * 3
    point = float(np.exp(np.mean([np.log(median(n) / median(d)) for n, d in pairs])))
    rng = np.random.default_rng(SEED)
    logs = np.zeros(RESAMPLES)
    for n, d in pairs:
        top = _resampled_medians(n, rng) if len(n) > 1 else np.full(RESAMPLES, n[0])
        bottom = _resampled_medians(d, rng) if len(d) > 1 else np.full(RESAMPLES, d[0])
        with np.errstate(divide="ignore", invalid="ignore"):
            logs += np.log(np.maximum(top, 1e-300) / np.maximum(bottom, 1e-300))
    ratios = np.exp(logs / len(pairs))
    tail = (1 - LEVEL) / 2 * 100
    return point, float(np.percentile(ratios, tail)), float(np.percentile(ratios, 100 - tail))


def difference_ci(a, b):
    """(median(a) - median(b), low, high)."""
    if len(a) == 0 or len(b) == 0:
        return (float("nan"),) * 3
    rng = np.random.default_rng(SEED)
    da = _resampled_medians(a, rng) if len(a) > 1 else np.full(RESAMPLES, a[0])
    db = _resampled_medians(b, rng) if len(b) > 1 else np.full(RESAMPLES, b[0])
    diffs = da - db
    tail = (1 - LEVEL) / 2 * 100
    return median(a) - median(b), float(np.percentile(diffs, tail)), float(np.percentile(diffs, 100 - tail))
