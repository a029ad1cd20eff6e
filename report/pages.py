"""report.html (one self-contained page: no scripts or styles from the network, charts
referenced beside it so it works from file://) and report.md (for a README)."""
import datetime
import html

from . import claims as claims_section
from .formatting import fmt_seconds_interval

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


MANIFEST_BACKEND_KEYS = [("accel", "accelerator"), ("hypervisor", "hypervisor"), ("nested", "nested")]


def manifest(results):
    """[(label, value)] of the manifest: the host's keys, each backend's accelerator and
    nesting where it records one, then every backend's state."""
    ctx = results.context
    rows = []
    for key, label in MANIFEST_KEYS:
        if key in ctx and ctx[key] not in ("", None):
            value = ctx[key]
            if key == "memory_bytes" and isinstance(value, (int, float)):
                value = f"{value / 2**30:.1f} GiB"
            rows.append((label, str(value)))
    backends = ctx.get("backends") if isinstance(ctx.get("backends"), dict) else {}
    for name, info in sorted(backends.items()):
        if isinstance(info, dict):
            for key, label in MANIFEST_BACKEND_KEYS:
                if info.get(key) not in ("", None):
                    rows.append((f"{name} {label}", str(info[key])))
    for name, info in sorted(backends.items()):
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


# What makes two hosts' figures differ: always shown side by side, first, when several
# hosts are given (the rest of the manifest follows).
HOST_DIFFERENCE_LABELS = ("host", "host kernel", "CPU", "CPUs", "memory", "host is a VM", "hypervisor",
                          "cgroups", "vm accelerator", "qemu accelerator", "kvm hypervisor", "kvm nested")


def manifest_side_by_side(all_results):
    """[(label, [value per host], differs)]: the manifest keys in every host's order;
    the keys that tell hosts apart first."""
    per_host = [dict(manifest(r)) for r in all_results]
    labels = list(dict.fromkeys(label for r in all_results for label, _ in manifest(r)))
    first = [label for label in HOST_DIFFERENCE_LABELS if label in labels]
    out = []
    for label in first + [label for label in labels if label not in first]:
        values = [host.get(label, "—") for host in per_host]
        out.append((label, values, len(set(values)) > 1))
    return out


def _md_cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


LADDER_COLUMNS = ("backend", "step", "over", "cost (95% CI)", "share of the full stack", "method", "verdict")
LADDER_TITLE = "Where startup time comes from (C5's ladder)"
LADDER_INTRO = ("Each step's cost is its startup time over its declared baseline (\"launch\" for the floor), "
                "as bench computed it; the share is of the full stack's startup. The full stack's chain first, "
                "then each primitive alone.")


def _ladder_cells(step):
    return (step.backend, step.step, step.over, step.cost_text, step.share_text, step.method, step.verdict)


def ladder_in_order(steps):
    """The chain steps (bench's structural order) before the primitives alone, per backend."""
    backends = list(dict.fromkeys(s.backend for s in steps))
    return [s for b in backends for chain in (True, False) for s in steps if s.backend == b and s.on_top_chain == chain]


def claim_why(claim):
    """One line of why: what the verdict tests (the metric and its threshold) and bench's note."""
    return claim.metric + (f" — {claim.note}" if claim.note else "")


def verdict_parts(claim):
    """(the verdict's head, its reason): "not measurable here" and why not; a decided or
    inconclusive verdict whole, with what the verdict tests as its reason."""
    if claim.kind == "not measurable" and ": " in claim.verdict:
        head, reason = claim.verdict.split(": ", 1)
        return head, reason + (f" — {claim.note}" if claim.note else "")
    return claim.verdict, claim_why(claim)


def claims_by_host(all_results):
    """[(key, claim text, [Claim or None per host])]: one row per claim, in the first
    host's order, then rows only later hosts have. A claim that each host answers once
    is one row even where the hosts measured it on different backends (C2 on vm here,
    on microvm there); a claim answered per backend (C7 per engine) is a row per
    backend."""
    per_host = [claims_section.rows(r) for r in all_results]
    ids = list(dict.fromkeys(c.id for rows in per_host for c in rows))
    out = []
    for claim_id in ids:
        lists = [[c for c in rows if c.id == claim_id] for rows in per_host]
        if all(len(found) <= 1 for found in lists):
            cells = [found[0] if found else None for found in lists]
            backends = {c.backend for c in cells if c is not None}
            groups = [((claim_id, backends.pop() if len(backends) == 1 else ""), cells)]
        else:
            keys = list(dict.fromkeys(c.backend for found in lists for c in found))
            groups = [((claim_id, b), [next((c for c in found if c.backend == b), None) for found in lists])
                      for b in keys]
        for key, cells in groups:
            out.append((key, next(c.claim for c in cells if c is not None), cells))
    return out


def claim_label(key):
    claim_id, backend = key
    return f"{claim_id} ({backend})" if backend and backend not in claim_id else claim_id


def _shows(chart, claim_id):
    return any(claim_id == c or claim_id.startswith(c + " ") or claim_id.startswith(c + ",") for c in chart.claims)


def figures_for_claims(all_results, charts):
    """[(claim ids, [Chart])]: for each drawn chart that shows a claim, the claims it
    shows, in the claims table's order."""
    ids = list(dict.fromkeys(key[0] for key, _, _ in claims_by_host(all_results)))
    out, seen = [], set()
    for claim_id in ids:
        for chart in charts:
            if chart.written and chart.stem not in seen and _shows(chart, claim_id):
                seen.add(chart.stem)
                shown = [i for i in ids if _shows(chart, i)]
                out.append((shown, [c for c in charts if c.stem == chart.stem and c.written]))
    return out


def suite_tables(all_results):
    """{suite: [(name, [text per host])]}: every benchmark's median real time with
    bench's interval and repetitions, per host."""
    names = list(dict.fromkeys(n for r in all_results for n in sorted(r.benchmarks)))
    out = {}
    for name in names:
        cells = []
        for r in all_results:
            bench = r.benchmarks.get(name)
            if bench is None:
                cells.append("—")
            elif bench.errors and not bench.real_s:
                cells.append(f"failed: {bench.errors[0]}")
            else:
                f = bench.figure("real_time_s")
                cells.append("—" if f is None else
                             f"{fmt_seconds_interval(f.median, f.low, f.high)} (n={f.n})")
        out.setdefault(name.split("/")[0], []).append((name, cells))
    return out


def write_markdown(path, all_results, charts):
    several = len(all_results) > 1
    hosts = [r.host for r in all_results]
    lines = ["# isobench report", "", "Results: " + ", ".join(f"`{r.folder}`" for r in all_results), "",
             "## Claims", ""]
    table = claims_by_host(all_results)
    if several:
        head = ["claim"] + [f"{h}: {col}" for h in hosts for col in ("verdict", "effect (95% CI)")]
    else:
        head = ["claim", "verdict", "effect (95% CI)", "why (what the verdict tests)", "seed's words"]
    lines += ["| " + " | ".join(_md_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for key, seed, cells in table:
        if several:
            row = [claim_label(key)] + [x for c in cells for x in (
                (c.verdict + (f" ({c.backend})" if c.backend and not key[1] else ""), c.effect) if c else ("—", "—"))]
        else:
            c = cells[0]
            row = [claim_label(key), c.verdict, c.effect, claim_why(c), seed]
        lines.append("| " + " | ".join(_md_cell(x) for x in row) + " |")
    if not table:
        lines.append("| none | no claims in this results file |" + " |" * (len(head) - 2))
    lines += ["", "## The figure behind each claim", ""]
    shown = set()
    for ids, drawn in figures_for_claims(all_results, charts):
        lines.append(f"### {', '.join(ids)}: {drawn[0].title}\n")
        for chart in drawn:
            shown.add(chart.written)
            lines.append(f"![{chart.title}{' — ' + chart.host if chart.host else ''}](charts/{chart.written}.png) "
                         f"([SVG](charts/{chart.written}.svg))\n")
    lines += ["## Details", "", f"### {LADDER_TITLE}", ""]
    for r in all_results:
        ladder = ladder_in_order(claims_section.ladder(r))
        if several:
            lines += [f"#### {r.host}", ""]
        if ladder:
            lines += [LADDER_INTRO, "", "| " + " | ".join(LADDER_COLUMNS) + " |", "|" + "---|" * len(LADDER_COLUMNS)]
            lines += ["| " + " | ".join(_md_cell(x) for x in _ladder_cells(step)) + " |" for step in ladder]
        else:
            lines.append("No ladder steps in this run (run `bench --suite ladder`).")
        lines.append("")
    lines += ["### Charts", ""]
    for chart in charts:
        name = chart.title + (f" — {chart.host}" if chart.host else "")
        if chart.written and chart.written not in shown:
            lines.append(f"#### {name}\n\n![{name}](charts/{chart.written}.png) ([SVG](charts/{chart.written}.svg))\n")
        elif not chart.written:
            lines.append(f"#### {name}\n\nnot drawn: {_md_cell(chart.why)}\n")
    lines += ["### Caveats", ""]
    for r in all_results:
        notes = caveats(r)
        lines += [f"- {'**' + r.host + '**: ' if several else ''}{_md_cell(c)}" for c in notes]
        if not notes:
            lines.append(f"- {r.host + ': ' if several else ''}none recorded")
    lines += ["", "### Every suite (median real time, 95% CI)", ""]
    for suite, rows in suite_tables(all_results).items():
        lines += [f"#### {suite}", "", "| benchmark | " + " | ".join(_md_cell(h) for h in hosts) + " |",
                  "|---|" + "---|" * len(hosts)]
        lines += ["| " + " | ".join(_md_cell(x) for x in [name, *cells]) + " |" for name, cells in rows]
        lines.append("")
    lines += ["### Environment", ""]
    if several:
        lines += ["| | " + " | ".join(_md_cell(h) for h in hosts) + " | |", "|---|" + "---|" * (len(hosts) + 1)]
        lines += ["| " + " | ".join(_md_cell(x) for x in [label, *values, "differs" if differs else ""]) + " |"
                  for label, values, differs in manifest_side_by_side(all_results)]
    else:
        lines += ["| | |", "|---|---|"]
        lines += [f"| {_md_cell(k)} | {_md_cell(v)} |" for k, v in manifest(all_results[0])]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:1200px;margin:1em auto;padding:0 1em;
color:#111;background:#fff;line-height:1.35}
h1{font-size:1.5em;margin:0.2em 0}h2{margin-top:1.4em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:0.4em 0 1.2em;font-size:0.88em}
th,td{border:1px solid #bbb;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#eee}
.v-confirmed{background:#d8f0d8}.v-contradicted{background:#f6d5d5}.v-inconclusive{background:#fff2c6}
.v-decided{background:#e3ecf7}
.v-not-measurable{background:#e4e4e4;color:#333}
table.claims{font-size:0.82em}
.claims td.id{width:26%}.claims td.id b{white-space:nowrap}
.seed,.why{color:#444;font-size:0.92em}
.claims .why div,.claims div.why{display:-webkit-box;-webkit-line-clamp:3;-webkit-box-orient:vertical;overflow:hidden}
.verdict{font-weight:bold}
table.one-host td:nth-child(2){white-space:nowrap}table.one-host td:nth-child(3){width:32%}
tr.differs th,tr.differs td{background:#fff2c6}
.caveat{background:#fff8e1;border-left:4px solid #e69f00;padding:0.5em 1em}
figure{margin:1em 0;page-break-inside:avoid}figure img{max-width:100%;border:1px solid #ddd}
.missing{color:#555;font-style:italic}
details{margin:0.4em 0}summary{cursor:pointer;font-weight:bold}
@media print{body{max-width:none}a{color:#000}details{display:block}.claims .why div,.claims div.why{display:block}}
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


def _claims_html(all_results):
    e = html.escape
    table = claims_by_host(all_results)
    if not table:
        return '<p class="missing">no claims in this results file</p>'
    several = len(all_results) > 1
    if several:
        head = ["claim"] + [r.host for r in all_results]
    else:
        head = ["claim", "verdict", "effect (95% CI)", "why"]
    out = [f'<table class="claims{"" if several else " one-host"}" id="claims"><thead><tr>' + "".join(f"<th>{e(h)}</th>" for h in head) +
           "</tr></thead><tbody>"]
    for key, seed, cells in table:
        row = [f'<td class="id"><b>{e(claim_label(key))}</b><div class="seed">{e(seed)}</div></td>']
        if several:
            for c in cells:
                if c is None:
                    row.append('<td class="missing">not in this run</td>')
                else:
                    head, reason = verdict_parts(c)
                    if c.backend and not key[1]:
                        head += f" ({c.backend})"
                    row.append(f'<td class="{_verdict_class(c.kind)}"><div class="verdict">{e(head)}</div>'
                               f'{e(c.effect)}<div class="why" title="{e(reason)}">{e(reason)}</div></td>')
        else:
            c = cells[0]
            head, reason = verdict_parts(c)
            row += [f'<td class="{_verdict_class(c.kind)}"><b>{e(head)}</b></td>', f"<td>{e(c.effect)}</td>",
                    f'<td class="why" title="{e(reason)}"><div>{e(reason)}</div></td>']
        out.append("<tr>" + "".join(row) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(chart):
    e = html.escape
    name = chart.title + (f" — {chart.host}" if chart.host else "")
    return (f'<figure><img src="charts/{e(chart.written)}.png" alt="{e(name)}">'
            f'<figcaption>{e(name)} (<a href="charts/{e(chart.written)}.svg">SVG</a>)</figcaption></figure>')


def write_html(path, all_results, charts):
    e = html.escape
    several = len(all_results) > 1
    hosts = [r.host for r in all_results]
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>isobench report</title>", f"<style>{_STYLE}</style>", f"<script>{_SCRIPT}</script>",
             "</head><body>", "<h1>isobench report: the seed's claims, measured</h1>",
             "<p class=\"seed\">Results: " + ", ".join(f"<code>{e(r.folder)}</code>" for r in all_results) +
             f". Rendered {e(datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))}. "
             "Verdicts: <span class=\"v-confirmed\">confirmed</span>, <span class=\"v-contradicted\">contradicted"
             "</span>, <span class=\"v-inconclusive\">inconclusive</span>, <span class=\"v-not-measurable\">not "
             "measurable here</span>; each effect with its 95% interval, as bench computed them.</p>",
             _claims_html(all_results)]
    n_caveats = sum(len(caveats(r)) for r in all_results)
    if n_caveats:
        parts.append(f'<p class="caveat">{n_caveats} caveat(s) about this run: <a href="#caveats">read them</a> '
                     "before quoting a figure.</p>")
    parts.append("<h2>The figure behind each claim</h2>")
    shown = set()
    for ids, drawn in figures_for_claims(all_results, charts):
        parts.append(f"<h3>{e(', '.join(ids))}: {e(drawn[0].title)}</h3>")
        for chart in drawn:
            shown.add(chart.written)
            parts.append(_figure(chart))
    parts.append("<h2>Details</h2>")
    parts.append(f"<h3>{e(LADDER_TITLE)}</h3>")
    for r in all_results:
        ladder = ladder_in_order(claims_section.ladder(r))
        if several:
            parts.append(f"<h4>{e(r.host)}</h4>")
        if ladder:
            parts.append(f"<p>{e(LADDER_INTRO)}</p>")
            parts.append(_table(LADDER_COLUMNS, [_ladder_cells(s) for s in ladder], 6,
                                [claims_section.verdict_kind(s.verdict) for s in ladder]))
        else:
            parts.append('<p class="missing">No ladder steps in this run (run <code>bench --suite ladder</code>).</p>')
    parts.append("<h3>Every chart</h3>")
    for chart in charts:
        if chart.written and chart.written not in shown:
            parts.append(_figure(chart))
        elif not chart.written:
            name = chart.title + (f" — {chart.host}" if chart.host else "")
            parts.append(f'<h4>{e(name)}</h4><p class="missing">not drawn: {e(chart.why)}</p>')
    parts.append('<h3 id="caveats">Caveats</h3><div class="caveat"><ul>')
    for r in all_results:
        notes = caveats(r) or ["none recorded"]
        parts += [f"<li>{'<strong>' + e(r.host) + '</strong>: ' if several else ''}{e(n)}</li>" for n in notes]
    parts.append("</ul></div>")
    parts.append("<h3>Every suite</h3><p>Each benchmark's median real time with bench's 95% interval "
                 "and repetitions.</p>")
    for suite, rows in suite_tables(all_results).items():
        parts.append(f"<details><summary>{e(suite)} ({len(rows)} benchmarks)</summary>"
                     "<table><thead><tr><th>benchmark</th>" + "".join(f"<th>{e(h)}</th>" for h in hosts) +
                     "</tr></thead><tbody>")
        parts += ["<tr>" + "".join(f"<td>{e(x)}</td>" for x in [name, *cells]) + "</tr>" for name, cells in rows]
        parts.append("</tbody></table></details>")
    parts.append('<h3 id="environment">Environment</h3>')
    if several:
        parts.append('<p>Rows that differ between hosts are highlighted; the first rows are what tells '
                     'hosts apart (kernel, CPU, accelerator, nesting).</p>')
        parts.append('<table id="manifest"><thead><tr><th></th>' + "".join(f"<th>{e(h)}</th>" for h in hosts) +
                     "</tr></thead><tbody>")
        for label, values, differs in manifest_side_by_side(all_results):
            parts.append(f'<tr{" class=differs" if differs else ""}><th>{e(label)}</th>' +
                         "".join(f"<td>{e(v)}</td>" for v in values) + "</tr>")
    else:
        parts.append('<table id="manifest"><tbody>')
        for key, value in manifest(all_results[0]):
            parts.append(f"<tr><th>{e(key)}</th><td>{e(value)}</td></tr>")
    parts.append("</tbody></table></body></html>")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(parts) + "\n")
