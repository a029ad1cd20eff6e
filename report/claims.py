"""The claims table (SPEC.md "Claims"): one row per seed claim C2-C8, plus C5's cost
broken down by the ladder. Each row: the claim in the seed's words, the metric, the
measured effect with a 95% interval, and a verdict: confirmed, not observed,
contradicted, or "not measurable here: <why>".

Thresholds: a slowdown counts when its whole interval lies above 1.05 (5%); "almost no
loss" (C7) holds when the whole interval lies below 1.05; "huge"/"heavy" (C3, C4) need the
whole interval above 2x.
"""
import math
from dataclasses import dataclass

import numpy as np

from . import stats

TOLERANCE = 1.05
HEAVY = 2.0
OVERHEAD_SUITES = ("cpu", "mem", "syscall", "io")
VM_BACKENDS = ("vm", "qemu")
CONTAINER_BACKENDS = ("container", "crun", "runc")
HIGHER_IS_BETTER = ("bytes_per_s", "ops_per_s")
LOWER_IS_BETTER = ("ns_per_op",)
VERDICTS = ("confirmed", "not observed", "contradicted", "not measurable here")

SEED_WORDS = {
    "C2": "A hypervisor adds a layer to every resource access, so a VM performs worse than the host",
    "C3": "A VM image holds a guest OS's kernel and libraries, so images are huge",
    "C4": "Because every VM needs its own OS, VMs are heavy",
    "C5": "A container is a process on the host, isolated by the host's own namespaces and cgroups",
    "C6": "Container images hold only the app, so they are light and building/deploying is faster",
    "C7": "A container loses almost no performance: it is just a process on the host OS",
    "C8": "Containers created from the same image behave the same",
}


@dataclass
class Claim:
    id: str
    claim: str
    metric: str
    effect: str
    verdict: str
    note: str = ""

    @property
    def verdict_kind(self):
        return "not measurable" if self.verdict.startswith("not measurable") else self.verdict


def not_measurable(why):
    return "not measurable here: " + why


# ---- formatting -------------------------------------------------------------------

def fmt_seconds(s):
    if s is None or not math.isfinite(s):
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
    if b is None or not math.isfinite(b):
        return "n/a"
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if abs(b) >= size:
            return f"{b / size:.1f} {unit}"
    return f"{b:.0f} B"


def fmt_ratio(point, low, high):
    def one(x):
        if not math.isfinite(x):
            return "n/a"
        return f"{x:.3g}"
    return f"×{one(point)} [{one(low)}, {one(high)}]"


def fmt_interval(point, low, high, fmt):
    return f"{fmt(point)} [{fmt(low)}, {fmt(high)}]"


# ---- data helpers -----------------------------------------------------------------

def _metric_of(bench):
    """(counter, higher_is_better) that a suite row reports, or real time."""
    for counter in LOWER_IS_BETTER:
        if bench.values(counter):
            return counter, False
    for counter in HIGHER_IS_BETTER:
        if bench.values(counter):
            return counter, True
    return "real_s", False


def _is_validation(bench):
    return any(k in bench.counters for k in ("workload_to_check_ratio", "disagreement_factor"))


def slowdown_pairs(results, suite, backend):
    """[(slower-is-bigger numerator, denominator, name)] of `backend` vs bare in `suite`."""
    pairs = []
    for bench in results.select(suite=suite, backend=backend):
        if not bench.real_s or _is_validation(bench):
            continue
        bare = results.measured("/".join(filter(None, [suite, "bare", bench.workload, bench.arg])))
        if bare is None:
            continue
        # io on tmpfs against io on a disk compares two filesystems, not two isolation
        # mechanisms: such a row says nothing of what the isolation costs.
        if bench.attributes().get("storage") != bare.attributes().get("storage"):
            continue
        counter, higher_better = _metric_of(bench)
        own, ref = bench.values(counter), bare.values(counter)
        if not own or not ref:
            continue
        pairs.append((ref, own, bench.name) if higher_better else (own, ref, bench.name))
    return pairs


def suite_slowdowns(results, backend):
    """{suite: (geomean slowdown, low, high, names)} for the overhead suites measured."""
    out = {}
    for suite in OVERHEAD_SUITES:
        pairs = slowdown_pairs(results, suite, backend)
        if pairs:
            point, low, high = stats.geomean_ratio_ci([(n, d) for n, d, _ in pairs])
            out[suite] = (point, low, high, [name for _, _, name in pairs])
    return out


def _missing_overhead(results, backend):
    reason = results.backend_reason(backend)
    if reason:
        return reason
    for suite in OVERHEAD_SUITES:
        rows = results.select(suite=suite, backend=backend)
        for bench in rows:
            if bench.errors:
                return f"{bench.name}: {bench.errors[0]}"
    if not results.select(suite="cpu", backend="bare") and not results.select(suite="syscall", backend="bare"):
        return "no bare rows in the overhead suites (cpu, mem, syscall, io) of this run"
    return f"no {backend} rows in the overhead suites (cpu, mem, syscall, io) of this run"


def _first_measured(results, names):
    for name in names:
        bench = results.measured(name)
        if bench is not None:
            return bench
    return None


def _why_none(results, names):
    return "; ".join(dict.fromkeys(results.why_missing(n) for n in names))


def _suite_effects(slowdowns):
    return "; ".join(f"{suite} {fmt_ratio(p, lo, hi)}" for suite, (p, lo, hi, _) in slowdowns.items())


# ---- the claims -------------------------------------------------------------------

def claim_c2(results):
    words = SEED_WORDS["C2"]
    accel = results.guest_accel()
    vm_backend, slowdowns = None, {}
    for backend in VM_BACKENDS:
        slowdowns = suite_slowdowns(results, backend)
        if slowdowns:
            vm_backend = backend
            break
    metric = "VM / bare per operation, geometric mean per suite (cpu, mem, syscall, io), slowdown >1"
    if accel == "tcg":
        tcg_note = ("The guest ran under TCG emulation (no usable hardware virtualization here), so VM rows measure "
                    "QEMU's instruction emulator, not a hypervisor layer; they are not used for this verdict")
        if slowdowns:
            tcg_note += f" ({vm_backend} under TCG: {_suite_effects(slowdowns)})"
        compute = results.measured("hypervisor/kvm/compute_loop")
        if compute is not None and compute.values("guest_ns_per_op") and compute.values("host_ns_per_op"):
            p, lo, hi = stats.ratio_ci(compute.values("guest_ns_per_op"), compute.values("host_ns_per_op"))
            effect = f"guest compute on KVM {fmt_ratio(p, lo, hi)} of host"
            exit_bench = _first_measured(results, ["hypervisor/kvm/exit_port_io", "hypervisor/kvm/exit_cpuid"])
            if exit_bench is not None and exit_bench.values("ns_per_op"):
                m, elo, ehi = stats.median_ci([v * 1e-9 for v in exit_bench.values("ns_per_op")])
                effect += f"; each VM exit round trip {fmt_interval(m, elo, ehi, fmt_seconds)}"
            verdict = ("confirmed" if lo > TOLERANCE else "contradicted" if hi <= TOLERANCE else "not observed")
            return Claim("C2", words, "guest/host time for the same loop on the kvm micro-VMM (hardware "
                         "virtualization, no guest OS); slowdown >1", effect, verdict,
                         tcg_note + ". The layer's cost shows in exits, not in guest instructions.")
        why = results.why_missing("hypervisor/kvm/compute_loop")
        return Claim("C2", words, metric, _suite_effects(slowdowns) or "n/a",
                     not_measurable("guest ran under TCG emulation, which measures QEMU's emulator, not a "
                                    f"hypervisor layer; and {why}"), tcg_note)
    if not slowdowns:
        return Claim("C2", words, metric, "n/a", not_measurable(_missing_overhead(results, "vm")))
    slower = [s for s, (_, lo, _, _) in slowdowns.items() if lo > TOLERANCE]
    same = [s for s, (_, _, hi, _) in slowdowns.items() if hi <= TOLERANCE]
    if len(slower) * 2 >= len(slowdowns):
        verdict = "confirmed"
    elif len(same) == len(slowdowns):
        verdict = "contradicted"
    else:
        verdict = "not observed"
    note = f"{vm_backend} guest accelerator: {accel or 'not recorded'}"
    if slower:
        note += f"; slower: {', '.join(slower)}"
    return Claim("C2", words, metric.replace("VM", vm_backend), _suite_effects(slowdowns), verdict, note)


def _median_counter(results, suite, backends, counter):
    """{backend: (bench, values)} of the first workload in `suite` with `counter`."""
    out = {}
    for backend in backends:
        for bench in sorted(results.select(suite=suite, backend=backend), key=lambda b: b.name):
            if bench.values(counter):
                out[backend] = (bench, bench.values(counter))
                break
    return out


def _heavier(verdict_ratio):
    p, lo, hi = verdict_ratio
    if lo > HEAVY:
        return "confirmed"
    if hi < 1:
        return "contradicted"
    return "not observed"


def _missing_pair(results, suite, vm, ct, counter):
    parts = []
    if not vm:
        parts.append(_missing_side(results, suite, VM_BACKENDS, counter))
    if not ct:
        parts.append(_missing_side(results, suite, CONTAINER_BACKENDS, counter))
    return "; ".join(parts)


def _missing_side(results, suite, backends, counter):
    for backend in backends:
        for bench in results.select(suite=suite, backend=backend):
            if bench.errors:
                return f"{bench.name}: {bench.errors[0]}"
    reasons = [results.backend_reason(backend) for backend in backends]
    if all(reasons):
        return reasons[0]
    return f"no {suite}/{{{','.join(backends)}}} rows with {counter} in this run"


def claim_c3(results):
    vm = _median_counter(results, "image", VM_BACKENDS, "image_bytes")
    ct = _median_counter(results, "image", CONTAINER_BACKENDS, "image_bytes")
    metric = "image_bytes: VM image / container image (same workload binary)"
    if not vm or not ct:
        return Claim("C3", SEED_WORDS["C3"], metric, "n/a",
                     not_measurable(_missing_pair(results, "image", vm, ct, "image_bytes")))
    vb, vv = next(iter(vm.values()))
    cb, cv = next(iter(ct.values()))
    ratio = stats.ratio_ci(vv, cv)
    effect = (f"{vb.name} {fmt_bytes(stats.median(vv))} vs {cb.name} {fmt_bytes(stats.median(cv))}: "
              f"{fmt_ratio(*ratio)}")
    return Claim("C3", SEED_WORDS["C3"], metric, effect, _heavier(ratio),
                 "huge means the whole interval above ×2")


def claim_c4(results):
    counter = "pss_bytes"
    vm = _median_counter(results, "footprint", VM_BACKENDS, counter)
    ct = _median_counter(results, "footprint", CONTAINER_BACKENDS, counter)
    metric = "pss_bytes per idle instance: VM / container"
    if not vm or not ct:
        return Claim("C4", SEED_WORDS["C4"], metric, "n/a",
                     not_measurable(_missing_pair(results, "footprint", vm, ct, counter)))
    vb, vv = next(iter(vm.values()))
    cb, cv = next(iter(ct.values()))
    ratio = stats.ratio_ci(vv, cv)
    effect = (f"{vb.name} {fmt_bytes(stats.median(vv))} vs {cb.name} {fmt_bytes(stats.median(cv))}: "
              f"{fmt_ratio(*ratio)}")
    note = "heavy means the whole interval above ×2"
    if results.guest_accel() == "tcg":
        note += "; guest under TCG: QEMU's translation cache adds to the VM's memory, a hypervisor with KVM would not"
    return Claim("C4", SEED_WORDS["C4"], metric, effect, _heavier(ratio), note)


def _startup(results, backend):
    return results.measured(f"startup/{backend}/noop")


def claim_c5(results):
    metric = "startup of noop: container / bare (a host process plus kernel primitives, no OS boot)"
    bare, ct = _startup(results, "bare"), None
    for backend in CONTAINER_BACKENDS:
        ct = _startup(results, backend)
        if ct is not None:
            break
    if bare is None or ct is None:
        names = ["startup/bare/noop"] if bare is None else []
        names += [] if ct is not None else ["startup/container/noop"]
        return Claim("C5", SEED_WORDS["C5"], metric, "n/a", not_measurable(_why_none(results, names)))
    ratio = stats.ratio_ci(ct.real_s, bare.real_s)
    diff = stats.difference_ci(ct.real_s, bare.real_s)
    effect = f"{ct.backend} {fmt_ratio(*ratio)} of bare; +{fmt_interval(*diff, fmt_seconds)}"
    vm = _first_measured(results, [f"startup/{b}/noop" for b in VM_BACKENDS])
    if vm is not None:
        # Closer to a bare process than to a VM on a log scale: a process, not a machine.
        to_vm = stats.ratio_ci(vm.real_s, ct.real_s)
        verdict = "confirmed" if ratio[2] < to_vm[1] else "contradicted" if ratio[1] > to_vm[2] else "not observed"
        note = f"criterion: container/bare below {vm.backend}/container ({fmt_ratio(*to_vm)})"
        if results.guest_accel() == "tcg":
            note += "; guest under TCG, so VM boot is slower than it would be with KVM"
    else:
        verdict = "confirmed" if ratio[2] < 10 else "contradicted" if ratio[1] > 100 else "not observed"
        note = "criterion (no VM rows): container/bare below ×10"
    return Claim("C5", SEED_WORDS["C5"], metric, effect, verdict, note)


def ladder_steps(results, backend):
    """[(bench, step values, cumulative values)] of ladder/<backend>/*, cheapest first."""
    steps = []
    for bench in results.select(suite="ladder", backend=backend):
        if not bench.real_s:
            continue
        total = bench.values("ready_s") or bench.real_s
        steps.append((bench, total))
    steps.sort(key=lambda item: stats.median(item[1]))
    out, previous = [], None
    for bench, total in steps:
        step = bench.values("step_s")
        if not step:
            step = [t - (stats.median(previous) if previous else 0) for t in total]
        out.append((bench, step, total))
        previous = total
    return out


def claim_c5_ladder(results):
    backends = sorted({b.backend for b in results.select(suite="ladder")})
    rows = []
    for backend in backends:
        steps = ladder_steps(results, backend)
        if not steps:
            continue
        top = stats.median(steps[-1][2])
        for bench, step, _ in steps:
            m, lo, hi = stats.median_ci(step)
            share = f" ({m / top * 100:.0f}% of the top step)" if top > 0 else ""
            verdict = "confirmed" if lo > 0 else "not observed"
            step_name = "/".join(filter(None, [bench.workload, bench.arg]))
            rows.append(Claim(f"C5 ladder", f"{backend}: `{step_name}` costs startup time",
                              "added time of this step over the one below (step_s)",
                              fmt_interval(m, lo, hi, fmt_seconds) + share, verdict,
                              "confirmed: the whole interval above zero"))
    if rows:
        return rows
    why = "no ladder rows in this run"
    for bench in results.select(suite="ladder"):
        if bench.errors:
            why = f"{bench.name}: {bench.errors[0]}"
            break
    return [Claim("C5 ladder", "where a container's startup cost comes from, one primitive at a time",
                  "added time per step (step_s)", "n/a", not_measurable(why))]


def claim_c6(results):
    rows = []
    metric = "image build_s: container / VM"
    vm = _median_counter(results, "image", VM_BACKENDS, "build_s")
    ct = _median_counter(results, "image", CONTAINER_BACKENDS, "build_s")
    if vm and ct:
        vb, vv = next(iter(vm.values()))
        cb, cv = next(iter(ct.values()))
        ratio = stats.ratio_ci(cv, vv)
        verdict = "confirmed" if ratio[2] < 1 / TOLERANCE else "contradicted" if ratio[1] > TOLERANCE else "not observed"
        effect = f"{cb.name} {fmt_seconds(stats.median(cv))} vs {vb.name} {fmt_seconds(stats.median(vv))}: {fmt_ratio(*ratio)}"
        rows.append(Claim("C6 build", SEED_WORDS["C6"], metric, effect, verdict, "faster: the whole interval below ×0.95"))
    else:
        rows.append(Claim("C6 build", SEED_WORDS["C6"], metric, "n/a",
                          not_measurable(_missing_pair(results, "image", vm, ct, "build_s"))))
    metric = "startup of noop (deploy): VM / container"
    ct = _first_measured(results, [f"startup/{b}/noop" for b in CONTAINER_BACKENDS])
    vm = _first_measured(results, [f"startup/{b}/noop" for b in VM_BACKENDS])
    if ct is None or vm is None:
        names = ([] if ct else ["startup/container/noop"]) + ([] if vm else ["startup/vm/noop"])
        rows.append(Claim("C6 start", SEED_WORDS["C6"], metric, "n/a", not_measurable(_why_none(results, names))))
        return rows
    ratio = stats.ratio_ci(vm.real_s, ct.real_s)
    verdict = "confirmed" if ratio[1] > TOLERANCE else "contradicted" if ratio[2] < 1 / TOLERANCE else "not observed"
    effect = (f"{vm.backend} {fmt_seconds(stats.median(vm.real_s))} vs {ct.backend} "
              f"{fmt_seconds(stats.median(ct.real_s))}: {fmt_ratio(*ratio)}")
    note = ""
    if results.guest_accel() == "tcg":
        note = ("guest under TCG emulation: the VM's boot time is emulation cost, not the hypervisor's; "
                "with KVM the gap would be smaller")
    rows.append(Claim("C6 start", SEED_WORDS["C6"], metric, effect, verdict, note))
    return rows


def claim_c7(results):
    rows = []
    metric = "container / bare per operation, geometric mean per suite; almost none: interval below ×1.05"
    for backend in CONTAINER_BACKENDS:
        slowdowns = suite_slowdowns(results, backend)
        if not slowdowns:
            continue
        lossy = [s for s, (_, lo, _, _) in slowdowns.items() if lo > TOLERANCE]
        fine = [s for s, (_, _, hi, _) in slowdowns.items() if hi <= TOLERANCE]
        verdict = "contradicted" if lossy else "confirmed" if len(fine) == len(slowdowns) else "not observed"
        note = f"loses more than 5% in: {', '.join(lossy)}" if lossy else ""
        rows.append(Claim("C7", SEED_WORDS["C7"], metric.replace("container", backend, 1),
                          _suite_effects(slowdowns), verdict, note))
    if not rows:
        rows.append(Claim("C7", SEED_WORDS["C7"], metric, "n/a",
                          not_measurable(_missing_overhead(results, "container"))))
    return rows


DIGEST_KEYS = ("digest", "compute_digest", "exe_digest", "checksum")


def claim_c8(results):
    metric = "digest of the same deterministic work, per repetition and backend (cpu hash, checksum)"
    seen = {}  # (suite, workload, arg, key) -> {backend: set(values)}
    for bench in results.benchmarks.values():
        attrs = bench.attributes()
        for key in DIGEST_KEYS:
            if key in attrs:
                seen.setdefault((bench.suite, bench.workload, bench.arg, key), {}).setdefault(
                    bench.backend, set()).update(
                    v for label in bench.labels for k, v in [kv.split("=", 1) for kv in label.split() if "=" in kv]
                    if k == key)
    container_groups = {k: v for k, v in seen.items() if any(b in CONTAINER_BACKENDS for b in v)}
    if not container_groups:
        why = _missing_overhead(results, "container") if not results.select(backend="container") else \
            "no container row carries a digest (cpu suite or checksum workload)"
        return Claim("C8", SEED_WORDS["C8"], metric, "n/a", not_measurable(why))
    distinct, runs = set(), 0
    for per_backend in container_groups.values():
        values = set().union(*per_backend.values())
        distinct.add(len(values))
        runs += sum(len(b.real_s) for b in results.benchmarks.values() if b.backend in per_backend)
    same = distinct == {1}
    backends = sorted({b for g in container_groups.values() for b in g})
    effect = (f"{'1 digest' if same else 'differing digests'} across {', '.join(backends)} "
              f"({len(container_groups)} workload(s))")
    spread = []
    for backend in CONTAINER_BACKENDS:
        bench = _startup(results, backend)
        if bench is not None and len(bench.real_s) > 1:
            cv = float(np.std(bench.real_s) / np.mean(bench.real_s))
            spread.append(f"{backend} startup CV {cv * 100:.0f}%")
    return Claim("C8", SEED_WORDS["C8"], metric, effect, "confirmed" if same else "contradicted",
                 "; ".join(spread) if spread else "output only: timing spread is in the charts")


def all_claims(results):
    rows = [claim_c2(results), claim_c3(results), claim_c4(results), claim_c5(results)]
    rows += claim_c5_ladder(results)
    rows += claim_c6(results)
    rows += claim_c7(results)
    rows.append(claim_c8(results))
    return rows


def terminal_table(rows, width=100):
    """The claims table for a terminal: id, verdict, effect, metric; notes indented."""
    lines = ["claims (SPEC.md; 95% intervals):"]
    for row in rows:
        lines.append(f"  {row.id:<10} {row.verdict}")
        lines.append(f"  {'':<10} {row.claim}")
        lines.append(f"  {'':<10} metric: {row.metric}")
        lines.append(f"  {'':<10} effect: {row.effect}")
        if row.note:
            lines.append(f"  {'':<10} note: {row.note}")
    return "\n".join(lines)
