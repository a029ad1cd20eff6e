"""The charts, as PNG (screen) and SVG (print), one colour per backend everywhere.

Each chart function returns the file stem it wrote, or raises NoData with what is
missing, so the page can say why a chart is absent.
"""
import os

import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import claims, stats  # noqa: E402

# Okabe-Ito colours: distinguishable with colour-blindness and in greyscale print.
BACKEND_COLOURS = {
    "bare": "#444444", "container": "#0072B2", "crun": "#009E73", "runc": "#56B4E9",
    "vm": "#D55E00", "qemu": "#E69F00", "kvm": "#CC79A7",
}
BACKEND_ORDER = ["bare", "container", "crun", "runc", "kvm", "qemu", "vm"]
HATCHES = ["", "//", "..", "xx", "\\\\", "++"]


class NoData(Exception):
    """A chart has nothing to draw; the message says which rows are missing."""


def colour(backend):
    return BACKEND_COLOURS.get(backend, "#999999")


def _order(backends):
    return sorted(backends, key=lambda b: (BACKEND_ORDER.index(b) if b in BACKEND_ORDER else 99, b))


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


def _startups(results):
    out = {}
    for bench in results.select(suite="startup", workload="noop"):
        if bench.real_s and not bench.arg:
            out[bench.backend] = bench
    return out


def startup_distribution(results, out_dir):
    startups = _startups(results)
    if not startups:
        raise NoData(results.why_missing("startup/bare/noop"))
    backends = _order(startups)
    fig, (box, ecdf) = plt.subplots(1, 2, figsize=(11, 4.2))
    data = [np.array(startups[b].real_s) * 1e3 for b in backends]
    parts = box.boxplot(data, vert=True, patch_artist=True, labels=backends, widths=0.6, showfliers=True,
                       medianprops={"color": "black", "linewidth": 2})
    for patch, backend in zip(parts["boxes"], backends):
        patch.set_facecolor(colour(backend))
        patch.set_alpha(0.75)
    for i, values in enumerate(data, start=1):
        jitter = np.random.default_rng(i).uniform(-0.15, 0.15, len(values))
        box.scatter(np.full(len(values), i) + jitter, values, s=6, color="black", alpha=0.5, zorder=3)
    _plain_log(box, "y")
    box.set_ylabel("launch → exit → teardown (ms, log)")
    box.set_title("Startup of noop per backend")
    tcg = results.guest_accel() == "tcg"
    for backend, values in zip(backends, data):
        xs = np.sort(values)
        name = f"{backend} (guest under TCG)" if tcg and backend in claims.VM_BACKENDS else backend
        ecdf.step(xs, np.arange(1, len(xs) + 1) / len(xs), where="post", color=colour(backend), label=name,
                  linewidth=2)
    _plain_log(ecdf, "x", subs=(1.0,))
    ecdf.set_xlabel("startup (ms, log)")
    ecdf.set_ylabel("fraction of runs ≤ x")
    ecdf.set_title("Startup ECDF")
    ecdf.legend(frameon=False)
    return _save(fig, out_dir, "startup_distribution")


def startup_phases(results, out_dir):
    startups = {b: s for b, s in _startups(results).items() if s.values("ready_s")}
    if not startups:
        raise NoData("no startup rows with phase counters (create_s, ready_s, teardown_s)")
    backends = _order(startups)
    phases = ["create", "to ready", "run to exit", "teardown"]
    shades = ["#1b9e77", "#7570b3", "#e7298a", "#a6761d"]
    fig, ax = plt.subplots(figsize=(8, 0.6 * len(backends) + 1.8))
    for y, backend in enumerate(backends):
        bench = startups[backend]
        total = stats.median(bench.real_s)
        create = stats.median(bench.values("create_s")) if bench.values("create_s") else 0.0
        ready = stats.median(bench.values("ready_s"))
        teardown = stats.median(bench.values("teardown_s")) if bench.values("teardown_s") else 0.0
        widths = [max(create, 0), max(ready - create, 0), max(total - ready - teardown, 0), max(teardown, 0)]
        left = 0.0
        for i, width in enumerate(widths):
            ax.barh(y, width * 1e3, left=left * 1e3, color=shades[i], hatch=HATCHES[i % len(HATCHES)],
                    edgecolor="white", label=phases[i] if y == 0 else None)
            left += width
        ax.text(left * 1e3, y, f" {claims.fmt_seconds(total)}", va="center", fontsize=9)
    ax.set_yticks(range(len(backends)), backends)
    for tick, backend in zip(ax.get_yticklabels(), backends):
        tick.set_color(colour(backend))
    ax.set_xscale("symlog", linthresh=1)
    ax.set_xlabel("median time (ms, linear to 1 ms, log above)")
    ax.set_title("Where startup time goes, per backend (medians)")
    ax.legend(ncol=4, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.22))
    return _save(fig, out_dir, "startup_phases")


def ladder_waterfall(results, out_dir):
    backends = _order({b.backend for b in results.select(suite="ladder") if b.real_s})
    if not backends:
        for bench in results.select(suite="ladder"):
            if bench.errors:
                raise NoData(f"{bench.name}: {bench.errors[0]}")
        raise NoData("no ladder rows in this run")
    fig, axes = plt.subplots(len(backends), 1, figsize=(9, 2.2 + 0.45 * sum(
        len(claims.ladder_steps(results, b)) for b in backends)), squeeze=False)
    for ax, backend in zip(axes[:, 0], backends):
        steps = claims.ladder_steps(results, backend)
        left = 0.0
        labels = []
        for y, (bench, step, _) in enumerate(steps):
            m, lo, hi = stats.median_ci(step)
            ax.barh(y, m * 1e3, left=left * 1e3, color=colour(backend), alpha=0.85, edgecolor="black")
            ax.errorbar((left + m) * 1e3, y, xerr=[[max(m - lo, 0) * 1e3], [max(hi - m, 0) * 1e3]], fmt="none",
                        ecolor="black", capsize=3)
            ax.text((left + max(m, 0)) * 1e3, y, f"  +{claims.fmt_seconds(m)}", va="center", fontsize=8)
            labels.append("/".join(filter(None, [bench.workload, bench.arg])))
            left += m
        ax.set_yticks(range(len(steps)), labels)
        ax.invert_yaxis()
        ax.set_title(f"Ladder ({backend}): each step's added startup time, cumulative (95% CI)")
        ax.set_xlabel("ms")
    fig.tight_layout()
    return _save(fig, out_dir, "ladder_waterfall")


def memory(results, out_dir):
    footprint = {}
    for bench in results.select(suite="footprint"):
        if bench.values("pss_bytes"):
            footprint.setdefault(bench.backend, bench)
    density = {}
    for bench in results.select(suite="density"):
        counter = next((c for c in ("pss_bytes", "pss_bytes_total", "pss_bytes_per_instance") if bench.values(c)),
                       None)
        if counter and bench.arg.isdigit():
            density.setdefault(bench.backend, []).append((int(bench.arg), bench.values(counter), counter))
    if not footprint and not density:
        raise NoData("; ".join([results.why_missing("footprint/container/idle"),
                                results.why_missing("density/container/idle/1")]))
    fig, (bars, curve) = plt.subplots(1, 2, figsize=(11, 4.2))
    backends = _order(footprint)
    for x, backend in enumerate(backends):
        m, lo, hi = stats.median_ci(footprint[backend].values("pss_bytes"))
        bars.bar(x, m / 2**20, color=colour(backend), yerr=[[(m - lo) / 2**20], [(hi - m) / 2**20]], capsize=4)
        bars.text(x, m / 2**20, claims.fmt_bytes(m), ha="center", va="bottom", fontsize=8)
    bars.set_xticks(range(len(backends)), backends)
    if backends:
        _plain_log(bars, "y")
    bars.set_ylabel("PSS per idle instance (MiB, log)")
    bars.set_title("Memory per instance (median, 95% CI)" if backends else "Memory per instance: no footprint rows")
    for backend in _order(density):
        points = sorted(density[backend])
        ns = [n for n, _, _ in points]
        meds = [stats.median(v) / 2**20 for _, v, _ in points]
        curve.plot(ns, meds, marker="o", color=colour(backend), label=backend, linewidth=2)
    curve.set_xlabel("instances N")
    curve.set_ylabel("PSS (MiB)")
    curve.set_title("Density: memory vs N" if density else "Density: no density rows")
    if density:
        curve.legend(frameon=False)
    return _save(fig, out_dir, "memory")


def image_sizes(results, out_dir):
    rows = [b for b in results.select(suite="image") if b.values("image_bytes")]
    if not rows:
        raise NoData(results.why_missing("image/container/minimal"))
    rows.sort(key=lambda b: (_order([b.backend]) and BACKEND_ORDER.index(b.backend) if b.backend in BACKEND_ORDER
                             else 99, b.name))
    fig, ax = plt.subplots(figsize=(9, 0.5 * len(rows) + 1.6))
    for y, bench in enumerate(rows):
        size = stats.median(bench.values("image_bytes"))
        ax.barh(y, size, color=colour(bench.backend), label="image" if y == 0 else None)
        if bench.values("compressed_bytes"):
            packed = stats.median(bench.values("compressed_bytes"))
            ax.barh(y, packed, color="white", alpha=0.5, hatch="//", edgecolor=colour(bench.backend),
                    label="compressed" if y == 0 else None)
        ax.text(size, y, f" {claims.fmt_bytes(size)}", va="center", fontsize=8)
    ax.set_yticks(range(len(rows)), ["/".join(filter(None, [b.backend, b.workload, b.arg])) for b in rows])
    _plain_log(ax, "x")
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: claims.fmt_bytes(v)))
    ax.set_xlabel("bytes (log)")
    ax.set_title("Image sizes")
    ax.legend(frameon=False)
    return _save(fig, out_dir, "image_sizes")


def overhead_ratios(results, out_dir):
    entries = []  # (suite, backend, p, lo, hi)
    for backend in _order({b.backend for b in results.benchmarks.values()} - {"bare"}):
        for suite, (p, lo, hi, _) in claims.suite_slowdowns(results, backend).items():
            entries.append((suite, backend, p, lo, hi))
        startup = results.measured(f"startup/{backend}/noop")
        bare = results.measured("startup/bare/noop")
        if startup is not None and bare is not None:
            p, lo, hi = stats.ratio_ci(startup.real_s, bare.real_s)
            row = startup.median_row
            if "ratio_to_bare_ci_low" in row and "ratio_to_bare_ci_high" in row:
                lo, hi = row["ratio_to_bare_ci_low"], row["ratio_to_bare_ci_high"]
            entries.append(("startup", backend, p, lo, hi))
    if not entries:
        raise NoData("no rows with a bare counterpart (cpu, mem, syscall, io, startup)")
    suites = [s for s in ("startup",) + claims.OVERHEAD_SUITES if any(e[0] == s for e in entries)]
    backends = _order({e[1] for e in entries})
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(suites) + 2), 4.4))
    width = 0.5 / len(backends)
    tcg = results.guest_accel() == "tcg"
    for i, backend in enumerate(backends):
        name = f"{backend} (guest under TCG emulation)" if tcg and backend in claims.VM_BACKENDS else backend
        for suite, b, p, lo, hi in entries:
            if b != backend:
                continue
            x = suites.index(suite) + (i - (len(backends) - 1) / 2) * width
            first = suite == next(e[0] for e in entries if e[1] == backend)
            yerr = [[max(p - lo, 0)], [max(hi - p, 0)]] if np.isfinite(lo) and np.isfinite(hi) else None
            ax.errorbar(x, p, yerr=yerr, fmt="o", color=colour(backend), ecolor=colour(backend), capsize=4,
                        markersize=8, linewidth=2, label=name if first else None)
            ax.annotate(f"×{p:.3g}", (x, p), textcoords="offset points", xytext=(6, 0), fontsize=8, va="center")
    ax.axhline(1.0, color="black", linewidth=1, linestyle="--")
    _plain_log(ax, "y")
    ax.set_xticks(range(len(suites)), suites)
    ax.set_ylabel("× bare (slowdown, log; 1 = no overhead)")
    ax.set_title("Overhead relative to bare (median ratio or geometric mean per suite, 95% CI)")
    ax.legend(frameon=False, ncol=min(len(backends), 4))
    return _save(fig, out_dir, "overhead_ratios")


def folders_side_by_side(all_results, out_dir):
    if len(all_results) < 2:
        raise NoData("one results folder: give several to `bench report` to compare hosts or versions")
    backends = _order({b for r in all_results for b in _startups(r)})
    if not backends:
        raise NoData("no startup rows in any folder")
    fig, ax = plt.subplots(figsize=(max(6, 1.4 * len(backends) + 2), 4.4))
    width = 0.8 / len(all_results)
    for i, results in enumerate(all_results):
        startups = _startups(results)
        for x, backend in enumerate(backends):
            if backend not in startups:
                continue
            m, lo, hi = stats.median_ci(startups[backend].real_s)
            pos = x + (i - (len(all_results) - 1) / 2) * width
            ax.bar(pos, m * 1e3, width=width * 0.9, color=colour(backend), hatch=HATCHES[i % len(HATCHES)],
                   edgecolor="black", label=results.title if x == 0 or backend == backends[0] else None)
            ax.errorbar(pos, m * 1e3, yerr=[[(m - lo) * 1e3], [(hi - m) * 1e3]], fmt="none", ecolor="black",
                        capsize=3)
    ax.set_xticks(range(len(backends)), backends)
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
    primary = all_results[0]
    out = []
    for stem, title, draw in CHARTS:
        try:
            out.append((stem, title, draw(primary, out_dir), ""))
        except NoData as missing:
            plt.close("all")
            out.append((stem, title, None, str(missing)))
    try:
        out.append(("folders_side_by_side", "Results folders side by side",
                    folders_side_by_side(all_results, out_dir), ""))
    except NoData as missing:
        plt.close("all")
        out.append(("folders_side_by_side", "Results folders side by side", None, str(missing)))
    return out
