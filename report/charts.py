"""The charts, as PNG (screen) and SVG (print), one colour per backend everywhere.

Every number drawn comes from results.json as bench wrote it: medians and intervals
from the median rows' `figures`, the ladder and the overhead from the `claims` section.
The charts draw; they compute no statistic (only the raw repetitions of the startup
distribution are drawn as they are). Backends are grouped and coloured by their traits
(context.backends.<name>.traits.family), never by name.

Each chart function returns the file stem it wrote, or raises NoData with what is
missing, so the page can say why a chart is absent.
"""
import math
import os

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


def _save(fig, out_dir, stem):
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


def _startups(results):
    """{backend: Benchmark} of startup/<backend>/noop."""
    out = {}
    for bench in results.select(suite="startup", workload="noop"):
        if bench.real_s and not bench.arg:
            out[bench.backend] = bench
    return out


def startup_distribution(results, out_dir, palette):
    startups = _startups(results)
    if not startups:
        raise NoData(results.why_missing("startup/bare/noop"))
    backends = palette.order(startups)
    fig, (box, ecdf) = plt.subplots(1, 2, figsize=(11, 4.2))
    data = [np.asarray(startups[b].real_s) * 1e3 for b in backends]
    # The box's line is bench's median (figures.real_time_s), not one drawn anew.
    medians = []
    for b in backends:
        figure = startups[b].figure("real_time_s")
        medians.append(figure.median * 1e3 if figure is not None else None)
    parts = box.boxplot(data, vert=True, patch_artist=True, widths=0.6, showfliers=True, usermedians=medians,
                        medianprops={"color": "black", "linewidth": 2})
    box.set_xticks(range(1, len(backends) + 1), [palette.name(b).replace(" (", "\n(") for b in backends], fontsize=8)
    for patch, backend in zip(parts["boxes"], backends):
        patch.set_facecolor(palette.colour(backend))
        patch.set_alpha(0.75)
    for i, values in enumerate(data, start=1):
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(values))
        box.scatter(np.full(len(values), i) + jitter, values, s=6, color="black", alpha=0.5, zorder=3)
    _plain_log(box, "y")
    box.set_ylabel("launch → exit → teardown (ms, log)")
    box.set_title("Startup of noop per backend (every repetition)")
    for backend, values in zip(backends, data):
        xs = np.sort(values)
        ecdf.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", color=palette.colour(backend),
                  label=palette.name(backend), linewidth=2)
    _plain_log(ecdf, "x", subs=(1.0,))
    ecdf.set_xlabel("startup (ms, log)")
    ecdf.set_ylabel("fraction of runs ≤ x")
    ecdf.set_title("Startup ECDF")
    ecdf.legend(frameon=False)
    return _save(fig, out_dir, "startup_distribution")


def startup_phases(results, out_dir, palette):
    startups = {}
    for backend, bench in _startups(results).items():
        total, ready = bench.figure("real_time_s"), bench.figure("ready_s")
        if total is not None and ready is not None:
            startups[backend] = (total, bench.figure("create_s"), ready, bench.figure("teardown_s"))
    if not startups:
        raise NoData("no startup rows with phase figures (create_s, ready_s, teardown_s)")
    backends = palette.order(startups)
    phases = ["create", "to ready", "run to exit", "teardown"]
    shades = ["#1b9e77", "#7570b3", "#e7298a", "#a6761d"]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(backends) + 1.8))
    for y, backend in enumerate(backends):
        total, create, ready, teardown = startups[backend]
        create_s = create.median if create is not None else 0.0
        teardown_s = teardown.median if teardown is not None else 0.0
        # Stacked medians: each phase's bar is where one median ends and the next begins.
        widths = [max(create_s, 0), max(ready.median - create_s, 0),
                  max(total.median - ready.median - teardown_s, 0), max(teardown_s, 0)]
        left = 0.0
        for i, width in enumerate(widths):
            ax.barh(y, width * 1e3, left=left * 1e3, color=shades[i], hatch=HATCHES[i % len(HATCHES)],
                    edgecolor="white", label=phases[i] if y == 0 else None)
            left += width
        err = _err(total.median, total.low, total.high, 1e3)
        if err is not None:
            ax.errorbar(total.median * 1e3, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
        ax.text(max(left, total.high if total.has_interval else left) * 1e3, y, f"  {fmt_seconds(total.median)}",
                va="center", fontsize=9)
    ax.set_yticks(range(len(backends)), [palette.name(b) for b in backends])
    for tick, backend in zip(ax.get_yticklabels(), backends):
        tick.set_color(palette.colour(backend))
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("median time (ms, linear to 1 ms, log above); whisker: the total's 95% interval")
    ax.set_title("Where startup time goes, per backend (medians)")
    ax.legend(ncol=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    return _save(fig, out_dir, "startup_phases")


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


def ladder_waterfall(results, out_dir, palette):
    steps = claims_section.ladder(results)
    if not steps:
        for bench in results.select(suite="ladder"):
            if bench.errors:
                raise NoData(f"{bench.name}: {bench.errors[0]}")
        raise NoData("no ladder steps in this run's claims (run --suite ladder)")
    by_backend = {}
    for step in steps:
        by_backend.setdefault(step.backend, []).append(step)
    backends = palette.order(by_backend)
    heights = [len(by_backend[b]) * 0.32 + 1.3 for b in backends]
    fig, axes = plt.subplots(len(backends), 1, figsize=(10, sum(heights) + 0.4), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    seconds = matplotlib.ticker.FuncFormatter(lambda v, _: fmt_seconds(v) if v else "0")
    for ax, backend in zip(axes[:, 0], backends):
        layout = ladder_layout(by_backend[backend])
        colour = palette.colour(backend)
        for y, (step, left) in enumerate(layout):
            cost = step.cost
            bar = ax.barh(y, cost.point, left=left, color=colour, alpha=0.85 if step.on_top_chain else 0.45,
                          edgecolor="black", linewidth=0.6, hatch="" if step.on_top_chain else "//")
            bar.patches[0].set_gid(f"ladder-{backend}-{step.step}")
            err = _err(cost.point, cost.low, cost.high)
            if err is not None:
                ax.errorbar(left + cost.point, y, xerr=err, fmt="none", ecolor="black", capsize=3, linewidth=1)
            right = max(left, left + cost.point, left + (cost.high if math.isfinite(cost.high) else cost.point))
            sign = "+" if cost.point >= 0 else ""
            ax.text(right, y, f"  {sign}{fmt_seconds(cost.point)}" + ("  (full stack)" if step.top else ""),
                    va="center", fontsize=7.5)
        ax.set_yticks(range(len(layout)), [step.label for step, _ in layout], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.xaxis.set_major_formatter(seconds)
        ax.margins(x=0.12)
        family = palette.family(backend)
        ax.set_title(f"{palette.name(backend)}{f' [{family}]' if family else ''}: each step's cost over its "
                     "baseline (95% CI)", fontsize=10)
    axes[-1, 0].set_xlabel("startup time; a bar starts where its baseline's ends (hatched: a primitive alone, "
                           "not on the full stack's chain)", fontsize=8)
    fig.tight_layout()
    return _save(fig, out_dir, "ladder_waterfall")


DENSITY_COUNTERS = ("pss_per_instance_bytes", "pss_bytes_per_instance", "pss_bytes")


def memory(results, out_dir, palette):
    footprint = {}
    for bench in sorted(results.select(suite="footprint"), key=lambda b: b.name):
        figure = bench.figure("pss_bytes")
        if figure is not None:
            footprint.setdefault(bench.backend, figure)
    density = {}
    for bench in results.select(suite="density"):
        if not bench.arg.isdigit():
            continue
        figure = next((bench.figure(c) for c in DENSITY_COUNTERS if bench.figure(c) is not None), None)
        if figure is not None:
            density.setdefault(bench.backend, []).append((int(bench.arg), figure))
    if not footprint and not density:
        raise NoData("; ".join([results.why_missing("footprint/container/idle"),
                                results.why_missing("density/container/idle/1")]))
    fig, (bars, curve) = plt.subplots(1, 2, figsize=(11, 4.2))
    backends = palette.order(footprint)
    mib = 2**20
    for x, backend in enumerate(backends):
        f = footprint[backend]
        bars.bar(x, f.median / mib, color=palette.colour(backend), yerr=_err(f.median, f.low, f.high, 1 / mib),
                 capsize=4)
        bars.text(x, (f.high if f.has_interval else f.median) / mib, fmt_bytes(f.median), ha="center",
                  va="bottom", fontsize=7)
    bars.set_xticks(range(len(backends)), [palette.name(b).replace(" (", "\n(") for b in backends], fontsize=8)
    if backends:
        _plain_log(bars, "y")
    bars.set_ylabel("PSS per idle instance (MiB, log)")
    bars.set_title("Memory per instance (median, 95% CI)" if backends else "Memory per instance: no footprint rows")
    for backend in palette.order(density):
        points = sorted(density[backend], key=lambda p: p[0])
        ns = [n for n, _ in points]
        meds = [f.median / mib for _, f in points]
        lows = [max(f.median - f.low, 0) / mib if f.has_interval else 0 for _, f in points]
        highs = [max(f.high - f.median, 0) / mib if f.has_interval else 0 for _, f in points]
        curve.errorbar(ns, meds, yerr=[lows, highs], marker="o", color=palette.colour(backend),
                       label=palette.name(backend), linewidth=2, capsize=3)
    if density:
        _plain_log(curve, "x", subs=(1.0, 2.0, 4.0))
        _plain_log(curve, "y")
    curve.set_xlabel("instances N (log)")
    curve.set_ylabel("PSS per instance (MiB, log)")
    curve.set_title("Density: memory per instance vs N (median, 95% CI)" if density else "Density: no density rows")
    if density:
        curve.legend(frameon=False, fontsize=8)
    return _save(fig, out_dir, "memory")


def image_sizes(results, out_dir, palette):
    rows = []
    for bench in results.select(suite="image"):
        size = bench.figure("image_bytes")
        if size is not None:
            rows.append((bench, size, bench.figure("compressed_bytes")))
    if not rows:
        raise NoData(results.why_missing("image/container/minimal"))
    order = palette.order(b.backend for b, _, _ in rows)
    rows.sort(key=lambda r: (r[0].workload, r[0].arg, order.index(r[0].backend)))
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    for y, (bench, size, packed) in enumerate(rows):
        colour = palette.colour(bench.backend)
        ax.barh(y, size.median, color=colour, label="image" if y == 0 else None)
        if packed is not None:
            ax.barh(y, packed.median, color="white", alpha=0.5, hatch="//", edgecolor=colour,
                    label="compressed" if y == 0 else None)
        ax.text(size.median, y, f" {fmt_bytes(size.median)}", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), ["/".join(filter(None, [b.backend, b.workload, b.arg])) for b, _, _ in rows])
    _plain_log(ax, "x")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: fmt_bytes(v)))
    ax.set_xlabel("bytes (log; medians)")
    ax.set_title("Image sizes")
    ax.legend(frameon=False)
    return _save(fig, out_dir, "image_sizes")


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


def overhead_ratios(results, out_dir, palette):
    entries = overhead_entries(results)
    if not entries:
        raise NoData("no overhead in the claims and no startup ratio to bare (cpu, mem, syscall, io, startup)")
    present = {e[0] for e in entries}
    suites = [s for s in SUITE_ORDER if s in present] + sorted(present - set(SUITE_ORDER))
    backends = palette.order(e[1] for e in entries)
    fig, ax = plt.subplots(figsize=(max(7, 1.8 * len(suites) + 3), 4.8))
    width = 0.8 / len(backends)
    labelled = set()
    for i, backend in enumerate(backends):
        colour = palette.colour(backend)
        for suite, b, p, lo, hi, emulated in entries:
            if b != backend:
                continue
            x = suites.index(suite) + (i - (len(backends) - 1) / 2) * width
            name = f"{backend} (emulated)" if emulated else palette.name(backend)
            ax.errorbar(x, p, yerr=_err(p, lo, hi), fmt="o", color=colour, ecolor=colour, capsize=4, markersize=7,
                        linewidth=2, markerfacecolor="white" if emulated else colour,
                        label=name if name not in labelled else None)
            labelled.add(name)
            top = hi if math.isfinite(hi) and hi > p else p
            ax.annotate(fmt_ratio(p), (x, top), textcoords="offset points", xytext=(0, 4), fontsize=7,
                        ha="center", va="bottom", rotation=90)
    ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
    _plain_log(ax, "y")
    ax.set_xticks(range(len(suites)), suites)
    ax.set_ylabel("× bare (slowdown, log; 1 = no overhead)")
    ax.set_title("Overhead relative to bare: startup median ratio, geometric mean per suite (95% CI);\n"
                 "hollow: an emulated guest, not a hypervisor's figure", fontsize=10)
    ax.margins(y=0.15)
    ax.legend(frameon=False, ncol=min(len(labelled), 5), fontsize=8, loc="upper center",
              bbox_to_anchor=(0.5, -0.1))
    return _save(fig, out_dir, "overhead_ratios")


def folders_side_by_side(all_results, out_dir, palette):
    if len(all_results) < 2:
        raise NoData("one results folder: give several to `bench report` to compare hosts or versions")
    figures = []
    for results in all_results:
        figures.append({b: f for b, bench in _startups(results).items()
                        if (f := bench.figure("real_time_s")) is not None})
    backends = palette.order({b for per in figures for b in per})
    if not backends:
        raise NoData("no startup rows with figures in any folder")
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(backends) + 2), 4.4))
    width = 0.8 / len(all_results)
    for i, per in enumerate(figures):
        for x, backend in enumerate(backends):
            f = per.get(backend)
            if f is None:
                continue
            pos = x + (i - (len(all_results) - 1) / 2) * width
            ax.bar(pos, f.median * 1e3, width=width * 0.9, color=palette.colour(backend),
                   hatch=HATCHES[i % len(HATCHES)], edgecolor="black")
            err = _err(f.median, f.low, f.high, 1e3)
            if err is not None:
                ax.errorbar(pos, f.median * 1e3, yerr=err, fmt="none", ecolor="black", capsize=3)
    ax.set_xticks(range(len(backends)), [palette.name(b).replace(" (", "\n(") for b in backends])
    _plain_log(ax, "y")
    ax.set_ylabel("startup median (ms, log, 95% CI)")
    ax.set_title("Startup across results folders (hatch = folder)")
    handles = [plt.Rectangle((0, 0), 1, 1, facecolor="white", edgecolor="black", hatch=HATCHES[i % len(HATCHES)])
               for i in range(len(all_results))]
    ax.legend(handles, [r.title for r in all_results], frameon=False, fontsize=8)
    return _save(fig, out_dir, "folders_side_by_side")


CHARTS = [
    ("startup_distribution", "Startup distribution and ECDF", startup_distribution),
    ("startup_phases", "Startup phases", startup_phases),
    ("ladder_waterfall", "Ladder waterfall", ladder_waterfall),
    ("memory", "Memory per instance and density", memory),
    ("image_sizes", "Image sizes", image_sizes),
    ("overhead_ratios", "Overhead ratios to bare", overhead_ratios),
]


def render_all(all_results, out_dir):
    """[(stem, title, written stem or None, why missing)] for every chart."""
    _style()
    palette = Palette(all_results)
    primary = all_results[0]
    out = []
    for stem, title, draw in CHARTS:
        try:
            out.append((stem, title, draw(primary, out_dir, palette), ""))
        except NoData as missing:
            plt.close("all")
            out.append((stem, title, None, str(missing)))
    try:
        out.append(("folders_side_by_side", "Results folders side by side",
                    folders_side_by_side(all_results, out_dir, palette), ""))
    except NoData as missing:
        plt.close("all")
        out.append(("folders_side_by_side", "Results folders side by side", None, str(missing)))
    return out
