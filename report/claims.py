"""The claims (SPEC.md "Claims") as bench wrote them into results.json's `claims`
section: one row per claim, C5's ladder, the overhead per backend and suite, and which
backends' guests were emulated. bench computes every effect, interval and verdict
(bench/results/claims.hpp); this module reads them for the charts and pages and
computes nothing.
"""
import math
from dataclasses import dataclass, field

from .errors import InputError
from .formatting import fmt_seconds_interval, fmt_share

VERDICT_KINDS = ("confirmed", "contradicted", "inconclusive", "not measurable")


def _text(value):
    return "" if value is None else str(value)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return float("nan")
    return float(value)


def verdict_kind(verdict):
    """confirmed, contradicted, inconclusive or not measurable (for styling), from a
    verdict or verdict_text; "" for anything else (a ladder step's "adds time")."""
    for kind in VERDICT_KINDS:
        if verdict.startswith(kind):
            return kind
    return ""


@dataclass
class Claim:
    id: str
    claim: str  # the seed's words
    metric: str
    effect: str  # effect.text
    verdict: str  # verdict_text, as the table prints it
    note: str = ""
    kind: str = ""  # one of VERDICT_KINDS
    backend: str = ""
    figures: list = field(default_factory=list)


@dataclass
class Interval:
    point: float
    low: float
    high: float
    level: float = float("nan")


@dataclass
class LadderStep:
    backend: str
    family: str
    step: str
    name: str
    baseline: str  # "" for a floor step (measured from launch)
    method: str
    cost: Interval
    total: Interval
    share: float
    repetitions: int
    verdict: str
    top: bool
    on_top_chain: bool

    @property
    def over(self):
        return self.baseline or "launch"

    @property
    def label(self):
        """"step (over baseline)", as the chart and the table name a step."""
        return f"{self.step} (over {self.over})"

    @property
    def cost_text(self):
        return fmt_seconds_interval(self.cost.point, self.cost.low, self.cost.high)

    @property
    def share_text(self):
        return fmt_share(self.share)


@dataclass
class Overhead:
    backend: str
    family: str
    suite: str
    point: float
    low: float
    high: float
    repetitions: int
    benchmarks: list
    emulated: bool
    emulated_why: str


def _section(results, key):
    value = results.claims.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"`{results.folder}/results.json`: claims.{key} is not a list")
    return [item for item in value if isinstance(item, dict)]


def _interval(value):
    value = value if isinstance(value, dict) else {}
    return Interval(_number(value.get("point")), _number(value.get("low")), _number(value.get("high")),
                    _number(value.get("level")))


def _count(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def rows(results):
    """[Claim] from claims.rows, in bench's order."""
    out = []
    for row in _section(results, "rows"):
        effect = row.get("effect")
        effect_text = _text(effect.get("text")) if isinstance(effect, dict) else _text(effect)
        verdict = _text(row.get("verdict_text")) or _text(row.get("verdict"))
        out.append(Claim(id=_text(row.get("id")), claim=_text(row.get("claim")), metric=_text(row.get("metric")),
                         effect=effect_text or "n/a", verdict=verdict, note=_text(row.get("note")),
                         kind=verdict_kind(_text(row.get("verdict")) or verdict), backend=_text(row.get("backend")),
                         figures=[_text(f) for f in row.get("figures") or [] if f is not None]))
    return out


def ladder(results):
    """[LadderStep] from claims.ladder, in bench's order (per backend: floor, then each
    step after its baseline)."""
    out = []
    for step in _section(results, "ladder"):
        out.append(LadderStep(
            backend=_text(step.get("backend")), family=_text(step.get("family")), step=_text(step.get("step")),
            name=_text(step.get("name")), baseline=_text(step.get("baseline")), method=_text(step.get("method")),
            cost=_interval(step.get("cost_s")), total=_interval(step.get("total_s")),
            share=_number(step.get("share")), repetitions=_count(step.get("repetitions")),
            verdict=_text(step.get("verdict")), top=step.get("top") is True,
            on_top_chain=step.get("on_top_chain") is True))
    return [s for s in out if s.backend and s.step and math.isfinite(s.cost.point)]


def overhead(results):
    """[Overhead] from claims.overhead: backend/bare per operation, per backend and suite."""
    out = []
    for entry in _section(results, "overhead"):
        point = _number(entry.get("point"))
        if not entry.get("backend") or not entry.get("suite") or not math.isfinite(point):
            continue
        out.append(Overhead(backend=_text(entry.get("backend")), family=_text(entry.get("family")),
                            suite=_text(entry.get("suite")), point=point, low=_number(entry.get("low")),
                            high=_number(entry.get("high")), repetitions=_count(entry.get("repetitions")),
                            benchmarks=[_text(b) for b in entry.get("benchmarks") or []],
                            emulated=entry.get("emulated") is True, emulated_why=_text(entry.get("emulated_why"))))
    return out


def emulated_backends(results):
    """{backend: why} for every backend whose guest claims.emulation says was emulated."""
    emulation = results.claims.get("emulation")
    if not isinstance(emulation, dict):
        return {}
    return {name: _text(info.get("why")) or "emulated" for name, info in emulation.items()
            if isinstance(info, dict) and info.get("emulated") is True}


def terminal_table(claim_rows, ladder_steps=()):
    """The claims table for a terminal, in bench's layout (bench/results/claims_table.cpp):
    id and verdict, then the claim, metric, effect and note indented; then the ladder."""
    lines = ["claims (SPEC.md; 95% intervals):"]
    pad = " " * 13
    for row in claim_rows:
        lines.append(f"  {row.id:<10} {row.verdict}")
        lines.append(f"{pad}{row.claim}")
        lines.append(f"{pad}metric: {row.metric}")
        lines.append(f"{pad}effect: {row.effect}")
        if row.note:
            lines.append(f"{pad}note: {row.note}")
    if ladder_steps:
        lines.append("ladder (C5's breakdown: each step's cost over its declared baseline):")
        for step in ladder_steps:
            lines.append(f"  {step.backend:<9} {step.step:<28} over {step.over:<24} {step.cost_text}  "
                         f"({step.method}, n={step.repetitions})")
    return "\n".join(lines)
