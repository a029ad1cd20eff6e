"""The charts, as PNG (screen) and SVG (print), one colour per backend everywhere.

Every number drawn comes from results.json as bench wrote it: medians and intervals
from the median rows' `figures`, the ladder and the overhead from the `claims` section.
The charts draw; they compute no statistic (only the raw repetitions of the startup
distribution are drawn as they are). Backends are grouped and coloured by their traits
(context.backends.<name>.traits.family), never by name.

Each chart function returns the file stem it wrote, or raises NoData with what is
missing, so the page can say why a chart is absent.
"""
import copy
import math
import os
from dataclasses import dataclass

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import claims as claims_section  # noqa: E402
from .formatting import fmt_bytes, fmt_ratio, fmt_seconds  # noqa: E402

# Okabe-Ito based: distinguishable with colour-blindness and in greyscale print. One
# hue per family, shades for the backends within it.
FAMILY_ORDER = ["process", "container", "oci", "sandbox", "microvm", "vm"]
FAMILY_COLOURS = {
    "process": ["#444444", "#888888"],
    "container": ["#0072B2", "#56B4E9", "#00405F"],
    "oci": ["#009E73", "#7AD1B0", "#00573F", "#3FBF8F", "#00331F"],
    "sandbox": ["#F0E442", "#A89F00"],
    "microvm": ["#CC79A7", "#8E3C6E", "#E3B3CF"],
    "vm": ["#D55E00", "#E69F00", "#8A3C00"],
    None: ["#999999", "#BBBBBB", "#666666"],
}
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]
SUITE_ORDER = ["startup", "cpu", "mem", "syscall", "io", "net"]


class NoData(Exception):
    """A chart has nothing to draw; the message says which rows are missing."""


class Palette:
    """Each backend's colour and place, from its family in the results' traits."""

    def __init__(self, all_results):
        self._family = {}
        for results in all_results:
            for backend in results.backends():
                if self._family.get(backend) is None:
                    self._family[backend] = results.family(backend)
        self._emulated = {}
        for results in all_results:
            for backend, why in claims_section.emulated_backends(results).items():
                self._emulated.setdefault(backend, why)
        self._colour = {}
        for family in FAMILY_ORDER + [None]:
            shades = FAMILY_COLOURS.get(family, FAMILY_COLOURS[None])
            members = sorted(b for b, f in self._family.items() if (f if f in FAMILY_ORDER else None) == family)
            for i, backend in enumerate(members):
                self._colour[backend] = shades[i % len(shades)]

    def family(self, backend):
        return self._family.get(backend)

    def colour(self, backend):
        return self._colour.get(backend, FAMILY_COLOURS[None][0])

    def order(self, backends):
        def key(b):
            family = self._family.get(b)
            return (FAMILY_ORDER.index(family) if family in FAMILY_ORDER else len(FAMILY_ORDER), b)
        return sorted(set(backends), key=key)

    def for_host(self, results):
        """The same colours and order, with one host's claims.emulation: a backend
        emulated on one host is not called emulated in another host's charts."""
        host = copy.copy(self)
        host._emulated = dict(claims_section.emulated_backends(results))
        return host

    def name(self, backend):
        """The backend's name, with "(emulated)" where claims.emulation says so."""
        return f"{backend} (emulated)" if backend in self._emulated else backend


def _style():
    plt.rcParams.update({
        "font.size": 10, "axes.titlesize": 11, "axes.grid": True, "grid.alpha": 0.3,
        "axes.spines.top": False, "axes.spines.right": False, "svg.fonttype": "none",
        "figure.dpi": 100, "savefig.bbox": "tight",
    })


def _plain_log(ax, axis="y", subs=(1.0, 2.0, 5.0)):
    """Log scale with plain numbers (0.5, 2, 300) instead of powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    target.set_major_locator(LogLocator(base=10, subs=subs))
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    target.set_minor_formatter(FuncFormatter(lambda v, _: ""))


def _thin_log_ticks(fig):
    """Fewer ticks per decade on log axes that span many decades, so that tick labels
    (1, 2, 5, 10, 20, ...) never run into each other."""
    from matplotlib.ticker import LogLocator
    for ax in fig.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            if axis.get_scale() != "log":
                continue
            low, high = sorted(limits)
            decades = math.log10(high / low) if low > 0 else 0
            subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0, 3.0) if decades <= 4 else (1.0,)
            axis.set_major_locator(LogLocator(base=10, subs=subs))


def _save(fig, out_dir, stem):
    _thin_log_ticks(fig)
    os.makedirs(out_dir, exist_ok=True)
    fig.savefig(os.path.join(out_dir, stem + ".png"), dpi=120)
    fig.savefig(os.path.join(out_dir, stem + ".svg"))
    plt.close(fig)
    return stem


def _err(point, low, high, scale=1.0):
    """matplotlib's [[below], [above]] error bar for [low, high] around point, or None."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    return [[max(point - low, 0) * scale], [max(high - point, 0) * scale]]


def _spans_decades(values, ratio=50.0):
    """Whether positive `values` span enough (max/min >= ratio) that a linear axis would
    squash the small ones flat: the only case where a chart uses a log scale."""
    positive = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) >= ratio


def _ms_axis(ax, values_ms, axis="x"):
    """Linear milliseconds, or log milliseconds where the values span decades; returns
    the axis label's scale note."""
    if _spans_decades(values_ms):
        _plain_log(ax, axis)
        return "ms, log: values span decades"
    return "ms"


def _legend_outside(ax, handles=None, labels=None, title=None):
    """A legend right of the axes, never over the data."""
    args = (handles, labels) if handles is not None else ()
    ax.legend(*args, frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), title=title,
              title_fontsize=8)


def _row_labels(ax, labels, colours=None):
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    if colours:
        for tick, colour in zip(ax.get_yticklabels(), colours):
            tick.set_color(colour)
    ax.set_ylim(len(labels) - 0.4, -0.6)


def _end_labels(ax, ends, texts, ys, log):
    """Value labels just right of each bar's (or whisker's) end, with room kept for
    them inside the axes so that none runs into another chart element."""
    for end, text, y in zip(ends, texts, ys):
        ax.annotate(text, (end, y), textcoords="offset points", xytext=(4, 0), va="center", fontsize=7.5)
    finite = [e for e in ends if math.isfinite(e) and (e > 0 or not log)]
    if finite:
        low, high = ax.get_xlim()
        ax.set_xlim(low, high * 4 if log else high + (high - min(low, 0)) * 0.25)


def _startups(results):
    """{backend: Benchmark} of startup/<backend>/noop."""
    out = {}
    for bench in results.select(suite="startup", workload="noop"):
        if bench.real_s and not bench.arg:
            out[bench.backend] = bench
    return out


def startup_per_backend(results, out_dir, palette, stem="startup_per_backend", host=""):
    """C5, C6: one bar per backend, bench's median startup and its interval."""
    figures = {b: f for b, bench in _startups(results).items() if (f := bench.figure("real_time_s")) is not None}
    if not figures:
        raise NoData(results.why_missing("startup/bare/noop"))
    backends = palette.order(figures)
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(backends) + 1.6))
    ms = [figures[b].median * 1e3 for b in backends]
    scale = _ms_axis(ax, ms + [figures[b].high * 1e3 for b in backends if figures[b].has_interval])
    ends = []
    for y, backend in enumerate(backends):
        f = figures[backend]
        ax.barh(y, f.median * 1e3, color=palette.colour(backend), edgecolor="black", linewidth=0.5, height=0.65)
        err = _err(f.median, f.low, f.high, 1e3)
        if err is not None:
            ax.errorbar(f.median * 1e3, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
        ends.append((f.high if f.has_interval else f.median) * 1e3)
    _row_labels(ax, [palette.name(b) for b in backends], [palette.colour(b) for b in backends])
    _end_labels(ax, ends, [fmt_seconds(figures[b].median) for b in backends], range(len(backends)), "log" in scale)
    ax.set_xlabel(f"startup of noop: launch → exit → teardown ({scale})")
    ax.set_title(f"Startup per backend (median; whisker: 95% CI){host}")
    ax.grid(axis="y", visible=False)
    return _save(fig, out_dir, stem)


def startup_distribution(results, out_dir, palette, stem="startup_distribution", host=""):
    startups = _startups(results)
    if not startups:
        raise NoData(results.why_missing("startup/bare/noop"))
    backends = palette.order(startups)
    fig, ax = plt.subplots(figsize=(9, 4.2))
    data = [np.asarray(startups[b].real_s) * 1e3 for b in backends]
    every = [v for values in data for v in values]
    for backend, values in zip(backends, data):
        xs = np.sort(values)
        ax.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", color=palette.colour(backend),
                label=palette.name(backend), linewidth=2)
    scale = _ms_axis(ax, [min(every), max(every)])
    ax.set_xlabel(f"startup of noop, every repetition ({scale})")
    ax.set_ylabel("fraction of runs ≤ x")
    ax.set_title(f"Startup distribution per backend (ECDF){host}")
    _legend_outside(ax, title="backend")
    return _save(fig, out_dir, stem)


PHASES = ("create", "to ready", "run to exit", "teardown")
PHASE_SHADES = ("#1b9e77", "#7570b3", "#e7298a", "#a6761d")


def startup_phases(results, out_dir, palette, stem="startup_phases", host=""):
    """Stacked phase medians on linear axes; where backends' totals span decades the
    fast and the slow ones get a panel each (a broken axis), so a segment's length
    always means time."""
    startups = {}
    for backend, bench in _startups(results).items():
        total, ready = bench.figure("real_time_s"), bench.figure("ready_s")
        if total is not None and ready is not None:
            startups[backend] = (total, bench.figure("create_s"), ready, bench.figure("teardown_s"))
    if not startups:
        raise NoData("no startup rows with phase figures (create_s, ready_s, teardown_s)")
    backends = palette.order(startups)
    slowest = max(startups[b][0].median for b in backends)
    slow = [b for b in backends if startups[b][0].median * 20 >= slowest]
    fast = [b for b in backends if b not in slow]
    groups = [g for g in (fast, slow) if g]
    fig, axes = plt.subplots(len(groups), 1, figsize=(9, 0.45 * len(backends) + 1.3 * len(groups) + 0.6),
                             squeeze=False, gridspec_kw={"height_ratios": [len(g) + 1 for g in groups]})
    for ax, group in zip(axes[:, 0], groups):
        ends = []
        for y, backend in enumerate(group):
            total, create, ready, teardown = startups[backend]
            create_s = create.median if create is not None else 0.0
            teardown_s = teardown.median if teardown is not None else 0.0
            # Stacked medians: each phase's bar is where one median ends and the next begins.
            widths = [max(create_s, 0), max(ready.median - create_s, 0),
                      max(total.median - ready.median - teardown_s, 0), max(teardown_s, 0)]
            left = 0.0
            for i, width in enumerate(widths):
                ax.barh(y, width * 1e3, left=left * 1e3, color=PHASE_SHADES[i], hatch=HATCHES[i % len(HATCHES)],
                        edgecolor="white", height=0.65, label=PHASES[i] if y == 0 else None)
                left += width
            err = _err(total.median, total.low, total.high, 1e3)
            if err is not None:
                ax.errorbar(total.median * 1e3, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
            ends.append(max(left, total.high if total.has_interval else left) * 1e3)
        _row_labels(ax, [palette.name(b) for b in group], [palette.colour(b) for b in group])
        _end_labels(ax, ends, [fmt_seconds(startups[b][0].median) for b in group], range(len(group)), False)
        ax.set_xlim(left=0)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("median time (ms, linear); whisker: the total's 95% CI", fontsize=8)
    if len(groups) == 2:
        axes[0, 0].set_title("fast backends (their own linear axis)", fontsize=9, loc="left")
        axes[1, 0].set_title("slow backends (over 1/20 of the slowest)", fontsize=9, loc="left")
    fig.suptitle(f"Where startup time goes, per backend (medians){host}", fontsize=11)
    _legend_outside(axes[0, 0], title="phase")
    fig.tight_layout()
    return _save(fig, out_dir, stem)


def ladder_layout(steps):
    """[(step, left)]: where each step's bar starts, in the order given. A floor step
    (no baseline) starts at 0; a step starts where its baseline's bar ends, so that a
    chain of steps reads as a waterfall. Each bar's length is the step's cost_s.point."""
    ends, out = {}, []
    for step in steps:
        left = ends.get(step.baseline, 0.0) if step.baseline else 0.0
        out.append((step, left))
        ends[step.step] = left + step.cost.point
    return out


def _ladder_steps(results, chain):
    steps = claims_section.ladder(results)
    if not steps:
        for bench in results.select(suite="ladder"):
            if bench.errors:
                raise NoData(f"{bench.name}: {bench.errors[0]}")
        raise NoData("no ladder steps in this run's claims (run --suite ladder)")
    by_backend = {}
    for step in steps:
        if step.on_top_chain == chain:
            by_backend.setdefault(step.backend, []).append(step)
    if not by_backend:
        raise NoData("no ladder step on the full stack's chain" if chain else
                      "no primitive measured alone over its baseline in this run's ladder")
    return by_backend


def _tick_seconds(v, _=None):
    """A short tick label: 250 ms, 1.5 s, 20 µs (fmt_seconds' fixed digits crowd an axis)."""
    a = abs(v)
    if a == 0:
        return "0"
    for unit, size in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if a >= size * 0.999:
            return f"{v / size:g} {unit}"
    return f"{v * 1e9:g} ns"


def _seconds_axis(ax):
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(_tick_seconds))


def ladder_waterfall(results, out_dir, palette, stem="ladder_waterfall", host=""):
    """C5: the full stack's chain in bench's structural order, each bar starting where
    its baseline's ends (a true waterfall); the primitives alone are their own chart."""
    by_backend = _ladder_steps(results, chain=True)
    backends = palette.order(by_backend)
    heights = [len(by_backend[b]) * 0.34 + 1.1 for b in backends]
    fig, axes = plt.subplots(len(backends), 1, figsize=(10, sum(heights) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, backend in zip(axes[:, 0], backends):
        layout = ladder_layout(by_backend[backend])
        colour = palette.colour(backend)
        ends, texts = [], []
        for y, (step, left) in enumerate(layout):
            cost = step.cost
            bar = ax.barh(y, cost.point, left=left, color=colour, alpha=0.85, edgecolor="black", linewidth=0.6,
                          height=0.65)
            bar.patches[0].set_gid(f"ladder-{backend}-{step.step}")
            err = _err(cost.point, cost.low, cost.high)
            if err is not None:
                ax.errorbar(left + cost.point, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
            if y:
                ax.plot([left, left], [y - 1 + 0.33, y - 0.33], color="grey", linewidth=0.8, linestyle=":")
            ends.append(max(left, left + cost.point, left + (cost.high if math.isfinite(cost.high) else cost.point)))
            sign = "+" if cost.point >= 0 and step.baseline else ""
            texts.append(f"{sign}{fmt_seconds(cost.point)}" + (f" = {fmt_seconds(left + cost.point)} full stack"
                                                                 if step.top else ""))
        _row_labels(ax, [step.label for step, _ in layout])
        ax.axvline(0, color="black", linewidth=0.8)
        _seconds_axis(ax)
        _end_labels(ax, ends, texts, range(len(layout)), False)
        ax.grid(axis="y", visible=False)
        family = palette.family(backend)
        ax.set_title(f"{palette.name(backend)}{f' [{family}]' if family else ''}", fontsize=10, loc="left")
        ax.set_xlabel("startup time (s); each bar: a step's cost over its baseline, 95% CI", fontsize=8)
    fig.suptitle(f"Where startup time comes from: the full stack, step by step{host}", fontsize=11)
    fig.tight_layout()
    return _save(fig, out_dir, stem)


def ladder_alone(results, out_dir, palette, stem="ladder_alone", host=""):
    """C5: each primitive alone, its cost over its baseline, from zero; hatched where
    bench's verdict is not "adds time" or "saves time" (the interval straddles zero)."""
    by_backend = _ladder_steps(results, chain=False)
    backends = palette.order(by_backend)
    heights = [len(by_backend[b]) * 0.34 + 1.1 for b in backends]
    fig, axes = plt.subplots(len(backends), 1, figsize=(10, sum(heights) + 0.6), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    for ax, backend in zip(axes[:, 0], backends):
        steps = by_backend[backend]
        colour = palette.colour(backend)
        ends, texts = [], []
        for y, step in enumerate(steps):
            cost = step.cost
            decided = claims_section.verdict_kind(step.verdict) == "" and not step.verdict.startswith("inconclusive")
            bar = ax.barh(y, cost.point, color=colour if decided else "white", edgecolor=colour, linewidth=1,
                          hatch="" if decided else "//", height=0.65)
            bar.patches[0].set_gid(f"ladder-alone-{backend}-{step.step}")
            err = _err(cost.point, cost.low, cost.high)
            if err is not None:
                ax.errorbar(cost.point, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
            ends.append(max(0.0, cost.point, cost.high if math.isfinite(cost.high) else cost.point))
            texts.append(f"{fmt_seconds(cost.point)}" + ("" if decided else "  (undecided)"))
        _row_labels(ax, [step.label for step in steps])
        ax.axvline(0, color="black", linewidth=0.8)
        _seconds_axis(ax)
        _end_labels(ax, ends, texts, range(len(steps)), False)
        ax.grid(axis="y", visible=False)
        ax.set_title(palette.name(backend), fontsize=10, loc="left")
        ax.set_xlabel("startup time added over the baseline (s), 95% CI; hatched: the interval straddles 0",
                      fontsize=8)
    fig.suptitle(f"Each primitive alone: what it adds to its baseline's startup{host}", fontsize=11)
    fig.tight_layout()
    return _save(fig, out_dir, stem)


DENSITY_COUNTERS = ("pss_per_instance_bytes", "pss_bytes_per_instance", "pss_bytes")
MIB = 2**20


def memory_per_instance(results, out_dir, palette, stem="memory_per_instance", host=""):
    """C4: PSS per idle instance, one bar per backend (bench's median and interval)."""
    footprint = {}
    for bench in sorted(results.select(suite="footprint"), key=lambda b: b.name):
        figure = bench.figure("pss_bytes")
        if figure is not None:
            footprint.setdefault(bench.backend, figure)
    if not footprint:
        raise NoData(results.why_missing("footprint/container/idle"))
    backends = palette.order(footprint)
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(backends) + 1.6))
    values = [footprint[b].median / MIB for b in backends]
    log = _spans_decades(values)
    if log:
        _plain_log(ax, "x")
    ends = []
    for y, backend in enumerate(backends):
        f = footprint[backend]
        ax.barh(y, f.median / MIB, color=palette.colour(backend), edgecolor="black", linewidth=0.5, height=0.65)
        err = _err(f.median, f.low, f.high, 1 / MIB)
        if err is not None:
            ax.errorbar(f.median / MIB, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
        ends.append((f.high if f.has_interval else f.median) / MIB)
    _row_labels(ax, [palette.name(b) for b in backends], [palette.colour(b) for b in backends])
    _end_labels(ax, ends, [fmt_bytes(footprint[b].median) for b in backends], range(len(backends)), log)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"PSS per idle instance (MiB{', log: values span decades' if log else ''}); whisker: 95% CI")
    ax.set_title(f"Memory per instance (median){host}")
    return _save(fig, out_dir, stem)


def density(results, out_dir, palette, stem="density", host=""):
    """Memory per instance against the number of instances N, one line per backend."""
    curves = {}
    for bench in results.select(suite="density"):
        if not bench.arg.isdigit():
            continue
        figure = next((bench.figure(c) for c in DENSITY_COUNTERS if bench.figure(c) is not None), None)
        if figure is not None:
            curves.setdefault(bench.backend, []).append((int(bench.arg), figure))
    if not curves:
        raise NoData(results.why_missing("density/container/idle/1"))
    fig, ax = plt.subplots(figsize=(9, 4.4))
    every = [f.median / MIB for points in curves.values() for _, f in points]
    for i, backend in enumerate(palette.order(curves)):
        points = sorted(curves[backend], key=lambda p: p[0])
        ns = [n for n, _ in points]
        meds = [f.median / MIB for _, f in points]
        lows = [max(f.median - f.low, 0) / MIB if f.has_interval else 0 for _, f in points]
        highs = [max(f.high - f.median, 0) / MIB if f.has_interval else 0 for _, f in points]
        ax.errorbar(ns, meds, yerr=[lows, highs], marker=MARKERS[i % len(MARKERS)], color=palette.colour(backend),
                    label=palette.name(backend), linewidth=2, capsize=3)
    ns_all = sorted({n for points in curves.values() for n, _ in points})
    if _spans_decades(ns_all, 8):
        _plain_log(ax, "x", subs=(1.0, 2.0, 4.0))
    else:
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    log = _spans_decades(every)
    if log:
        _plain_log(ax, "y")
    ax.set_xlabel("instances running at once, N" + (" (log)" if _spans_decades(ns_all, 8) else ""))
    ax.set_ylabel(f"PSS per instance (MiB{', log' if log else ''})")
    ax.set_title(f"Density: memory per instance as N grows (median, 95% CI){host}")
    _legend_outside(ax, title="backend")
    return _save(fig, out_dir, stem)


def image_sizes(results, out_dir, palette, stem="image_sizes", host=""):
    """C3, C6: each image's size, compressed size hatched over it."""
    rows = []
    for bench in results.select(suite="image"):
        size = bench.figure("image_bytes")
        if size is not None:
            rows.append((bench, size, bench.figure("compressed_bytes")))
    if not rows:
        raise NoData(results.why_missing("image/container/minimal"))
    order = palette.order(b.backend for b, _, _ in rows)
    rows.sort(key=lambda r: (r[0].workload, r[0].arg, order.index(r[0].backend)))
    fig, ax = plt.subplots(figsize=(9, 0.42 * len(rows) + 1.6))
    values = [size.median / MIB for _, size, _ in rows] + [p.median / MIB for _, _, p in rows if p is not None]
    log = _spans_decades(values)
    if log:
        _plain_log(ax, "x")
    for y, (bench, size, packed) in enumerate(rows):
        colour = palette.colour(bench.backend)
        ax.barh(y, size.median / MIB, color=colour, height=0.65, label="image" if y == 0 else None)
        if packed is not None:
            ax.barh(y, packed.median / MIB, color="white", alpha=0.6, hatch="//", edgecolor=colour, height=0.65,
                    label="compressed" if y == 0 else None)
    _row_labels(ax, ["/".join(filter(None, [b.backend, b.workload, b.arg])) for b, _, _ in rows])
    _end_labels(ax, [s.median / MIB for _, s, _ in rows], [fmt_bytes(s.median) for _, s, _ in rows], range(len(rows)),
                log)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"image size (MiB{', log: sizes span decades' if log else ''}; medians)")
    ax.set_title(f"Image sizes{host}")
    _legend_outside(ax)
    return _save(fig, out_dir, stem)


NET_PANELS = (  # workload, counter, scale, axis label
    ("rr", "ns_per_op", 1e-3, "round trip, 1-byte request/response (µs)"),
    ("rr1k", "ns_per_op", 1e-3, "round trip, 1 KiB request/response (µs)"),
    ("connect", "ns_per_op", 1e-3, "TCP connect + close (µs)"),
    ("stream", "bytes_per_s", 1 / 2**30, "stream throughput (GiB/s)"),
)


def network(results, out_dir, palette, stem="network", host=""):
    """The net suite: per workload, each backend's (and network path's) median with its
    interval, instance to a server on the host."""
    panels = []
    for workload, counter, scale, label in NET_PANELS:
        rows = [(b.backend, f) for b in results.select(suite="net", workload=workload)
                if (f := b.figure(counter)) is not None]
        if rows:
            panels.append((workload, scale, label, rows))
    if not panels:
        raise NoData(results.why_missing("net/container/rr"))
    cols = 2 if len(panels) > 1 else 1
    nrows = (len(panels) + cols - 1) // cols
    tallest = max(len(rows) for *_, rows in panels)
    fig, axes = plt.subplots(nrows, cols, figsize=(12, nrows * (0.3 * tallest + 1.4) + 0.5), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (workload, scale, label, rows) in zip(axes.flat, panels):
        order = palette.order(b for b, _ in rows)
        by = dict(rows)
        values = [by[b].median * scale for b in order]
        log = _spans_decades(values)
        if log:
            _plain_log(ax, "x")
        ends = []
        for y, backend in enumerate(order):
            f = by[backend]
            ax.barh(y, f.median * scale, color=palette.colour(backend), edgecolor="black", linewidth=0.5,
                    height=0.65)
            err = _err(f.median, f.low, f.high, scale)
            if err is not None:
                ax.errorbar(f.median * scale, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
            ends.append((f.high if f.has_interval else f.median) * scale)
        _row_labels(ax, [palette.name(b) for b in order], [palette.colour(b) for b in order])
        _end_labels(ax, ends, [f"{v:.3g}" for v in values], range(len(order)), log)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(label + (", log" if log else "") + "; whisker: 95% CI", fontsize=8)
        ax.set_title(f"net/{workload}", fontsize=10, loc="left")
    fig.suptitle(f"Network: instance to a server on the host (medians){host}", fontsize=11)
    fig.tight_layout()
    return _save(fig, out_dir, stem)


def overhead_entries(results):
    """[(suite, backend, point, low, high, emulated)]: claims.overhead, plus each
    backend's startup ratio_to_bare and its interval from the median rows."""
    entries = [(o.suite, o.backend, o.point, o.low, o.high, o.emulated) for o in claims_section.overhead(results)]
    emulated = claims_section.emulated_backends(results)
    for backend, bench in _startups(results).items():
        ratio = bench.ratio_to_bare()
        if backend != "bare" and ratio is not None:
            entries.append(("startup", backend, *ratio, backend in emulated))
    return entries


HOST_COLOURS = ["#000000", "#E69F00", "#0072B2", "#009E73", "#D55E00", "#CC79A7"]
MARKERS = ["o", "s", "D", "^", "v", "P"]


def overhead_ratios(all_results, out_dir, palette, stem="overhead_ratios"):
    """C2, C7: backend / bare per suite as a dot plot with bench's intervals; one row
    per (suite, backend), one colour and marker per host where several are given."""
    per_host = [(results, overhead_entries(results)) for results in all_results]
    if not any(entries for _, entries in per_host):
        raise NoData("no overhead in the claims and no startup ratio to bare (cpu, mem, syscall, io, startup)")
    present = {e[0] for _, entries in per_host for e in entries}
    suites = [s for s in SUITE_ORDER if s in present] + sorted(present - set(SUITE_ORDER))
    backends = palette.order(e[1] for _, entries in per_host for e in entries)
    rows = [(s, b) for s in suites for b in backends
            if any(e[0] == s and e[1] == b for _, entries in per_host for e in entries)]
    hosts = len(all_results)
    slot = 1.0 / (hosts + 1)
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(rows) * max(1, hosts * 0.8) + 1.8))
    points = [p for _, entries in per_host for e in entries for p in (e[2], e[4] if math.isfinite(e[4]) else e[2])]
    log = _spans_decades(points, 20)
    if log:
        _plain_log(ax, "x")
    labelled = set()
    ends, texts, ys = [], [], []
    for h, (results, entries) in enumerate(per_host):
        for suite, backend, p, lo, hi, emulated in entries:
            y = rows.index((suite, backend)) + (h - (hosts - 1) / 2) * slot
            colour = HOST_COLOURS[h % len(HOST_COLOURS)] if hosts > 1 else palette.colour(backend)
            label = results.host if hosts > 1 else None
            ax.errorbar(p, y, xerr=_err(p, lo, hi), fmt=MARKERS[h % len(MARKERS)], color=colour, ecolor=colour,
                        capsize=3, markersize=6, linewidth=1.5, markerfacecolor="white" if emulated else colour,
                        label=label if label and label not in labelled else None)
            if label:
                labelled.add(label)
            ends.append(hi if math.isfinite(hi) and hi > p else p)
            texts.append(fmt_ratio(p) + (" (emulated)" if emulated else ""))
            ys.append(y)
    ax.axvline(1.0, color="black", linewidth=1, linestyle="--")
    for i in range(1, len(rows)):
        if rows[i][0] != rows[i - 1][0]:
            ax.axhline(i - 0.5, color="grey", linewidth=0.6)
    labels = [f"{suite}: {backend if hosts > 1 else palette.name(backend)}" for suite, backend in rows]
    _row_labels(ax, labels, None if hosts > 1 else [palette.colour(b) for _, b in rows])
    if hosts > 1:
        ax.set_ylim(len(rows) - 0.5, -0.5)
    _end_labels(ax, ends, texts, ys, log)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"× bare (time per operation; 1 = no overhead{', log: ratios span decades' if log else ''}); "
                  "whisker: 95% CI", fontsize=9)
    ax.set_title("Overhead relative to bare: startup median ratio, geometric mean per suite\n"
                 "hollow: an emulated guest, never counted as a hypervisor's", fontsize=10)
    if hosts > 1:
        _legend_outside(ax, title="host")
    return _save(fig, out_dir, stem)


def startup_hosts(all_results, out_dir, palette, stem="startup_hosts"):
    """Absolute startup per backend, one bar per host, each labelled with its host."""
    figures, emulated = [], []
    for results in all_results:
        figures.append({b: f for b, bench in _startups(results).items()
                        if (f := bench.figure("real_time_s")) is not None})
        emulated.append(claims_section.emulated_backends(results))
    backends = palette.order({b for per in figures for b in per})
    if not backends:
        raise NoData("no startup rows with figures in any folder")
    hosts = len(all_results)
    slot = 0.8 / hosts
    fig, ax = plt.subplots(figsize=(10, 0.3 * len(backends) * hosts + 1.8))
    every = [f.median * 1e3 for per in figures for f in per.values()]
    scale = _ms_axis(ax, every)
    ends, texts, ys = [], [], []
    for h, per in enumerate(figures):
        for x, backend in enumerate(backends):
            f = per.get(backend)
            if f is None:
                continue
            y = x + (h - (hosts - 1) / 2) * slot
            ax.barh(y, f.median * 1e3, height=slot * 0.9, color=HOST_COLOURS[h % len(HOST_COLOURS)],
                    edgecolor="black", linewidth=0.5, hatch=HATCHES[h % len(HATCHES)],
                    label=all_results[h].host if x == min(i for i, b in enumerate(backends) if b in per) else None)
            err = _err(f.median, f.low, f.high, 1e3)
            if err is not None:
                ax.errorbar(f.median * 1e3, y, xerr=err, fmt="none", ecolor="grey", capsize=2, linewidth=1)
            ends.append((f.high if f.has_interval else f.median) * 1e3)
            texts.append(fmt_seconds(f.median) + (" (emulated)" if backend in emulated[h] else ""))
            ys.append(y)
    _row_labels(ax, backends)
    ax.set_ylim(len(backends) - 0.5, -0.5)
    _end_labels(ax, ends, texts, ys, "log" in scale)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(f"startup of noop, median ({scale}); whisker: 95% CI")
    ax.set_title("Startup per backend on each host (absolute: depends on the host)")
    _legend_outside(ax, title="host")
    return _save(fig, out_dir, stem)


# stem, title, drawing function, the claims it shows. Absolute figures are drawn once
# per host; the ratio chart and the hosts' startup put every host on one chart.
PER_HOST = [
    ("startup_per_backend", "Startup per backend", startup_per_backend, ("C5", "C6 start")),
    ("ladder_waterfall", "Where startup time comes from: the full stack step by step", ladder_waterfall, ("C5",)),
    ("ladder_alone", "Each primitive alone", ladder_alone, ()),
    ("startup_phases", "Startup phases", startup_phases, ()),
    ("startup_distribution", "Startup distribution (ECDF)", startup_distribution, ()),
    ("memory_per_instance", "Memory per instance", memory_per_instance, ("C4",)),
    ("density", "Density: memory per instance against N", density, ()),
    ("image_sizes", "Image sizes", image_sizes, ("C3", "C6 build")),
    ("network", "Network", network, ()),
]
ACROSS_HOSTS = [
    ("overhead_ratios", "Overhead ratios to bare", overhead_ratios, ("C2", "C7")),
    ("startup_hosts", "Startup per backend, hosts side by side", startup_hosts, ()),
]


@dataclass
class Chart:
    stem: str  # the chart's kind (startup_phases)
    title: str
    written: str  # the file stem written under charts/, "" when not drawn
    why: str  # why not drawn
    host: str = ""  # the host an absolute chart is for; "" for one host or a chart across hosts
    claims: tuple = ()  # claim ids (their prefix) this chart is the figure for


def render_all(all_results, out_dir):
    """[Chart] for every chart: per host for absolute figures (a file per host where
    several are given), across hosts for ratios."""
    _style()
    palette = Palette(all_results)
    several = len(all_results) > 1
    out = []

    def draw(stem, title, claim_ids, call, host=""):
        try:
            out.append(Chart(stem, title, call(), "", host, claim_ids))
        except NoData as missing:
            plt.close("all")
            out.append(Chart(stem, title, "", str(missing), host, claim_ids))

    for stem, title, fn, claim_ids in ACROSS_HOSTS[:1]:
        draw(stem, title, claim_ids, lambda fn=fn: fn(all_results, out_dir, palette))
    for stem, title, fn, claim_ids in PER_HOST:
        for i, results in enumerate(all_results):
            file_stem = f"{stem}-host{i + 1}" if several else stem
            suffix = f" — {results.host}" if several else ""
            draw(stem, title, claim_ids,
                 lambda fn=fn, r=results, s=file_stem, h=suffix: fn(r, out_dir, palette.for_host(r), s, h),
                 results.host if several else "")
    if several:
        for stem, title, fn, claim_ids in ACROSS_HOSTS[1:]:
            draw(stem, title, claim_ids, lambda fn=fn: fn(all_results, out_dir, palette))
    return out
