"""How figures read in the charts and pages: the same words as bench's own
(bench/results/format.cpp), so a number reads the same on the terminal and in the report.
Formatting only: every number comes from results.json."""
import math


def _finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def three_digits(x):
    """0.986, 1.07, 312, 1,780."""
    if not _finite(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{round(x):,}"
    return f"{x:.3g}"


def fmt_ratio(x):
    return "×" + three_digits(x)


def fmt_seconds(s):
    if not _finite(s):
        return "n/a"
    a = abs(s)
    if a >= 1:
        return f"{s:.2f} s"
    if a >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    if a >= 1e-6:
        return f"{s * 1e6:.1f} µs"
    return f"{s * 1e9:.0f} ns"


def fmt_bytes(b):
    if not _finite(b):
        return "n/a"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(b) >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b:.0f} B"


def fmt_seconds_interval(point, low, high):
    """"2.15 ms [1.90 ms, 2.40 ms]"; the point alone when there is no interval."""
    if not _finite(low) or not _finite(high):
        return fmt_seconds(point)
    return f"{fmt_seconds(point)} [{fmt_seconds(low)}, {fmt_seconds(high)}]"


def fmt_ratio_interval(point, low, high):
    if not _finite(low) or not _finite(high):
        return fmt_ratio(point)
    return f"{fmt_ratio(point)} [{three_digits(low)}, {three_digits(high)}]"


def fmt_share(share):
    return f"{share * 100:.0f}%" if _finite(share) else "n/a"
