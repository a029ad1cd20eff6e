"""report.html (one self-contained page: no scripts or styles from the network, charts
referenced beside it so it works from file://) and report.md (for a README)."""
import datetime
import html

from . import claims as claims_section

MANIFEST_KEYS = [
    ("host_kernel", "host kernel"), ("cpu_model", "CPU"), ("cpu_count", "CPUs"), ("memory_bytes", "memory"),
    ("host_virtualized", "host is a VM"), ("hypervisor_vendor", "hypervisor"), ("cgroup_mode", "cgroups"),
    ("cpu_governor", "governor"), ("smt", "SMT"), ("transparent_hugepages", "THP"), ("ksm", "KSM"),
    ("load_average_1m", "load (1 min)"), ("compiler", "compiler"), ("git_revision", "git revision"),
    ("command", "command"), ("quick", "quick mode"), ("date", "date"), ("host_name", "host"),
]


def caveats(results):
    ctx = results.context
    out = []
    if ctx.get("host_virtualized"):
        vendor = ctx.get("hypervisor_vendor") or "unknown hypervisor"
        out.append(f"The host is itself a virtual machine ({vendor}): nested virtualization, shared CPUs; "
                   "absolute times drift, ratios from one run are what to trust.")
    for backend, why in sorted(claims_section.emulated_backends(results).items()):
        out.append(f"Backend {backend} is emulated here ({why}): its figures measure the emulator, not a "
                   "hypervisor layer, and never count as a hypervisor's in the verdicts.")
    if ctx.get("quick"):
        out.append("Quick mode: few repetitions and small sizes, so intervals are wide.")
    stats_ctx = ctx.get("statistics")
    if isinstance(stats_ctx, dict):
        for warning in stats_ctx.get("warnings", []) or []:
            if isinstance(warning, str) and warning not in out and not warning.startswith("host is itself"):
                out.append(warning)
    failed = [b.name for b in results.benchmarks.values() if b.errors and not b.real_s
              and not b.errors[0].startswith("unavailable")]
    if failed:
        out.append(f"{len(failed)} benchmark(s) failed: {', '.join(sorted(failed)[:6])}"
                   f"{', ...' if len(failed) > 6 else ''} (see error_message in results.json).")
    unavailable = {}
    for name, info in (ctx.get("backends") or {}).items():
        if isinstance(info, dict) and info.get("available") is False:
            unavailable[name] = info.get("reason", "no reason given")
    for name, reason in sorted(unavailable.items()):
        out.append(f"Backend {name} unavailable: {reason}")
    return out


def _manifest_rows(results):
    ctx = results.context
    rows = []
    for key, label in MANIFEST_KEYS:
        if key in ctx and ctx[key] not in ("", None):
            value = ctx[key]
            if key == "memory_bytes" and isinstance(value, (int, float)):
                value = f"{value / 2**30:.1f} GiB"
            rows.append((label, str(value)))
    for name, info in sorted((ctx.get("backends") or {}).items()):
        if isinstance(info, dict):
            details = ", ".join(f"{k}={v}" for k, v in info.items() if k not in ("available", "reason", "traits", "probed"))
            traits = info.get("traits")
            if isinstance(traits, dict) and traits.get("family"):
                details = f"family={traits['family']}" + (", " + details if details else "")
            if "available" not in info and info.get("probed") is False:
                state = "not probed (not selected by this run)"
            else:
                state = "available" if info.get("available") else f"unavailable: {info.get('reason', '')}"
            rows.append((f"backend {name}", state + (f" ({details})" if details else "")))
    return rows


def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


CLAIM_COLUMNS = ("claim", "seed's words", "metric", "effect (95% CI)", "verdict", "note")
LADDER_COLUMNS = ("backend", "step", "over", "cost (95% CI)", "share of the full stack", "method", "verdict")
LADDER_TITLE = "Where startup time comes from (C5's ladder)"
LADDER_INTRO = ("Each step's cost is its startup time over its declared baseline (\"launch\" for the floor), "
                "as bench computed it; the share is of the full stack's startup.")


def _claim_cells(c):
    return (c.id, c.claim, c.metric, c.effect, c.verdict, c.note)


def _ladder_cells(step):
    return (step.backend, step.step, step.over, step.cost_text, step.share_text, step.method, step.verdict)


def write_markdown(path, all_results, claims, ladder, charts):
    primary = all_results[0]
    lines = ["# isobench report", ""]
    lines.append("Results: " + ", ".join(f"`{r.folder}`" for r in all_results))
    lines += ["", "## Claims", "", "| " + " | ".join(CLAIM_COLUMNS) + " |", "|" + "---|" * len(CLAIM_COLUMNS)]
    for c in claims:
        lines.append("| " + " | ".join(_md_cell(x) for x in _claim_cells(c)) + " |")
    if not claims:
        lines.append("| none | | | | no claims in this results file | |")
    lines += ["", f"## {LADDER_TITLE}", ""]
    if ladder:
        lines += [LADDER_INTRO, "", "| " + " | ".join(LADDER_COLUMNS) + " |", "|" + "---|" * len(LADDER_COLUMNS)]
        lines += ["| " + " | ".join(_md_cell(x) for x in _ladder_cells(step)) + " |" for step in ladder]
    else:
        lines.append("No ladder steps in this run (run `bench --suite ladder`).")
    lines += ["", "## Caveats", ""]
    lines += [f"- {_md_cell(c)}" for c in caveats(primary)] or ["- none recorded"]
    lines += ["", "## Charts", ""]
    for stem, title, written, why in charts:
        if written:
            lines.append(f"### {title}\n\n![{title}](charts/{written}.png)\n\n[SVG](charts/{written}.svg)\n")
        else:
            lines.append(f"### {title}\n\nnot drawn: {_md_cell(why)}\n")
    lines += ["## Environment", "", "| | |", "|---|---|"]
    lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in _manifest_rows(primary)]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1150px;margin:1.5em auto;padding:0 1em;
color:#111;background:#fff;line-height:1.4}
table{border-collapse:collapse;width:100%;margin:0.5em 0 1.5em;font-size:0.9em}
th,td{border:1px solid #bbb;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#eee}
.v-confirmed{background:#d8f0d8}.v-contradicted{background:#f6d5d5}.v-inconclusive{background:#fff2c6}
.v-decided{background:#e3ecf7}
.v-not-measurable{background:#e4e4e4;color:#333}
.caveat{background:#fff8e1;border-left:4px solid #e69f00;padding:0.5em 1em}
figure{margin:1em 0;page-break-inside:avoid}figure img{max-width:100%;border:1px solid #ddd}
.missing{color:#555;font-style:italic}
@media print{body{max-width:none}a{color:#000}}
"""

# The page checks itself: a script error or a chart that failed to load is written into
# the title, which a headless browser test reads back (no DevTools needed).
_SCRIPT = """
window.addEventListener('error', function (e) {
  document.title = 'report-error: ' + (e.message || (e.target && e.target.src) || 'unknown');
}, true);
window.addEventListener('load', function () {
  if (document.title.indexOf('report-error') === 0) return;
  var broken = Array.prototype.filter.call(document.images, function (img) {
    return !img.complete || img.naturalWidth === 0;
  });
  document.title = broken.length ? 'report-error: image not loaded ' + broken[0].getAttribute('src')
                                 : 'isobench report (ok)';
});
"""


def _verdict_class(kind):
    return "v-" + (kind.replace(" ", "-") if kind else "decided")


def _table(columns, rows, verdict_column, kinds):
    e = html.escape
    out = ["<table><thead><tr>" + "".join(f"<th>{e(c)}</th>" for c in columns) + "</tr></thead><tbody>"]
    for cells, kind in zip(rows, kinds):
        out.append("<tr>" + "".join(
            f'<td class="{_verdict_class(kind)}">{e(str(cell))}</td>' if i == verdict_column else f"<td>{e(str(cell))}</td>"
            for i, cell in enumerate(cells)) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def write_html(path, all_results, claims, ladder, charts):
    primary = all_results[0]
    e = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>isobench report</title>", f"<style>{_STYLE}</style>", f"<script>{_SCRIPT}</script>",
             "</head><body>", "<h1>isobench report</h1>",
             "<p>Results: " + ", ".join(f"<code>{e(r.folder)}</code>" for r in all_results) +
             f". Rendered {e(datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}.</p>"]
    notes = caveats(primary)
    if notes:
        parts.append('<div class="caveat"><strong>Caveats</strong><ul>' +
                     "".join(f"<li>{e(n)}</li>" for n in notes) + "</ul></div>")
    parts.append("<h2>Claims</h2>")
    if claims:
        parts.append(_table(CLAIM_COLUMNS, [_claim_cells(c) for c in claims], 4, [c.kind for c in claims]))
    else:
        parts.append('<p class="missing">no claims in this results file</p>')
    parts.append(f"<h2>{e(LADDER_TITLE)}</h2>")
    if ladder:
        parts.append(f"<p>{e(LADDER_INTRO)}</p>")
        parts.append(_table(LADDER_COLUMNS, [_ladder_cells(s) for s in ladder], 6,
                            [claims_section.verdict_kind(s.verdict) for s in ladder]))
    else:
        parts.append('<p class="missing">No ladder steps in this run (run <code>bench --suite ladder</code>).</p>')
    parts.append("<h2>Charts</h2>")
    for stem, title, written, why in charts:
        if written:
            parts.append(f'<figure><img src="charts/{e(written)}.png" alt="{e(title)}">'
                         f'<figcaption>{e(title)} (<a href="charts/{e(written)}.svg">SVG</a>)</figcaption></figure>')
        else:
            parts.append(f'<h3>{e(title)}</h3><p class="missing">not drawn: {e(why)}</p>')
    parts.append("<h2>Environment</h2><table><tbody>")
    for key, value in _manifest_rows(primary):
        parts.append(f"<tr><th>{e(key)}</th><td>{e(value)}</td></tr>")
    parts.append("</tbody></table></body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
