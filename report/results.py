"""Reading results.json (Google Benchmark JSON plus isobench's context and claims).

bench computes every statistic once and writes it into results.json: one interval per
figure on each median aggregate row (`figures`), the verdicts, the ladder and the
overhead in `claims`. This module only reads them; it computes nothing. A results
folder may come from any subset of suites and backends, or from an interrupted run:
what is missing is recorded, never guessed.
"""
import json
import math
import os
import re
from dataclasses import dataclass, field

from .errors import InputError

_TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass(frozen=True)
class Figure:
    """One figure as bench wrote it: the median of the repetitions and its interval."""

    median: float
    low: float
    high: float
    level: float  # the interval's coverage (order statistics: 0.95 or just above); nan: none
    n: int

    @property
    def has_interval(self):
        return math.isfinite(self.low) and math.isfinite(self.high)


def _number(value, default=float("nan")):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return float(value)


@dataclass
class Benchmark:
    """One benchmark name's repetitions (iteration rows) and its median aggregate row."""

    name: str
    suite: str
    backend: str
    workload: str
    arg: str
    real_s: list = field(default_factory=list)  # raw repetitions: drawn (ECDF, box), never summarised here
    counters: dict = field(default_factory=dict)  # counter -> [values per repetition]
    labels: list = field(default_factory=list)
    row_attributes: dict = field(default_factory=dict)  # from the rows' `attributes` objects
    median_row: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def values(self, counter):
        """Repetitions of `counter`, or of real time in seconds for "real_s"."""
        if counter in ("real_s", "real_time_s"):
            return self.real_s
        return self.counters.get(counter, [])

    def attributes(self):
        """The rows' attributes: the `attributes` object where rows have one; key=value
        pairs parsed from older files' labels fill in keys that it lacks."""
        out = {}
        for label in self.labels:
            for key, value in re.findall(r"(\w+)=(\S+)", label):
                out[key] = value
        out.update(self.row_attributes)
        return out

    def figure(self, metric):
        """bench's figure for `metric` (real_time_s, cpu_time_s or a counter's name): the
        median row's `figures` entry; for a single repetition (no aggregate rows) its
        value, with no interval. None when there is neither."""
        figures = self.median_row.get("figures")
        if isinstance(figures, dict) and isinstance(figures.get(metric), dict):
            f = figures[metric]
            median = _number(f.get("median"))
            if not math.isfinite(median):
                return None
            n = f.get("n")
            return Figure(median, _number(f.get("ci_low")), _number(f.get("ci_high")),
                          _number(f.get("ci_level")), n if isinstance(n, int) and not isinstance(n, bool) else 0)
        if not self.median_row:
            values = self.values(metric)
            if len(values) == 1:
                return Figure(values[0], float("nan"), float("nan"), float("nan"), 1)
        return None

    def ratio_to_bare(self):
        """(point, low, high) of the median row's ratio_to_bare (nan where unset), or None."""
        point = _number(self.median_row.get("ratio_to_bare"))
        if not math.isfinite(point):
            return None
        return (point, _number(self.median_row.get("ratio_to_bare_ci_low")),
                _number(self.median_row.get("ratio_to_bare_ci_high")))


@dataclass
class Results:
    folder: str
    context: dict
    benchmarks: dict  # name -> Benchmark
    claims: dict  # results.json's `claims` section, as bench wrote it (report.claims reads it)

    @property
    def title(self):
        stamp = os.path.basename(os.path.normpath(self.folder))
        return stamp or self.folder

    @property
    def host(self):
        """How the charts and tables name this folder's host: the folder, then the host
        name the manifest records ("mvA (vm)")."""
        name = self.context.get("host_name")
        return f"{self.title} ({name})" if isinstance(name, str) and name and name != self.title else self.title

    def select(self, suite=None, backend=None, workload=None):
        return [b for b in self.benchmarks.values()
                if (suite is None or b.suite == suite)
                and (backend is None or b.backend == backend)
                and (workload is None or b.workload == workload)]

    def measured(self, name):
        """The benchmark if it has at least one successful repetition."""
        bench = self.benchmarks.get(name)
        return bench if bench is not None and bench.real_s else None

    def _backend_info(self, backend):
        backends = self.context.get("backends")
        info = backends.get(backend) if isinstance(backends, dict) else None
        return info if isinstance(info, dict) else {}

    def why_missing(self, name):
        """One phrase saying why `name` has no figures here."""
        bench = self.benchmarks.get(name)
        if bench is not None and bench.errors:
            return f"{name}: {bench.errors[0]}"
        backend = name.split("/")[1] if name.count("/") >= 2 else ""
        info = self._backend_info(backend)
        if info.get("available") is False:
            return f"{name}: backend {backend} unavailable: {info.get('reason', 'no reason given')}"
        return f"no {name} rows in this run"

    def backend_reason(self, backend):
        info = self._backend_info(backend)
        if info.get("available") is False:
            return f"backend {backend} unavailable: {info.get('reason', 'no reason given')}"
        return None

    def backends(self):
        """Every backend this file names: in the context, then in its rows."""
        names = dict.fromkeys(self.context.get("backends") or {} if isinstance(self.context.get("backends"), dict)
                              else {})
        names.update(dict.fromkeys(b.backend for b in self.benchmarks.values()))
        return list(names)

    def traits(self, backend):
        """context.backends.<backend>.traits (family, boots_guest_os, ...), or {}."""
        traits = self._backend_info(backend).get("traits")
        return traits if isinstance(traits, dict) else {}

    def family(self, backend):
        """process, container, oci, vm, microvm; None when the file does not say."""
        family = self.traits(backend).get("family")
        return family if isinstance(family, str) and family else None

    def emulated(self, backend):
        """(True, why) when claims.emulation says `backend`'s guest was emulated."""
        emulation = self.claims.get("emulation")
        entry = emulation.get(backend) if isinstance(emulation, dict) else None
        if isinstance(entry, dict) and entry.get("emulated") is True:
            return True, str(entry.get("why") or "emulated")
        return False, ""


def _split_name(name):
    parts = name.split("/")
    while len(parts) < 4:
        parts.append("")
    return parts[0], parts[1], parts[2], "/".join(parts[3:])


def load_folder(folder):
    """Loads DIR/results.json (or a results.json path). Raises InputError naming the input."""
    path = folder
    if os.path.isdir(folder):
        path = os.path.join(folder, "results.json")
    elif not os.path.exists(folder):
        raise InputError(f"results folder `{folder}` does not exist")
    if not os.path.exists(path):
        raise InputError(f"results folder `{folder}` has no results.json (empty or interrupted run?)")
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"cannot read `{path}`: {e}") from None
    except json.JSONDecodeError as e:
        raise InputError(f"`{path}` is not valid JSON (line {e.lineno}: {e.msg}); truncated run?") from None
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"`{path}` is not a results file: no `benchmarks` list")
    claims = data.get("claims")
    if not isinstance(claims, dict):
        # bench computes the claims; `bench report` adds them to an older file before
        # it runs this package, so only running the package by hand gets here.
        raise InputError(f"`{path}` has no `claims` section (written by an older bench): run "
                         f"`bench report {folder}`, which adds them, instead of the Python package alone")
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    return Results(folder=os.path.dirname(path) if path != folder else folder, context=context,
                   benchmarks=_parse_rows(data["benchmarks"]), claims=claims)


def _parse_rows(rows):
    out = {}
    for row in rows:
        if not isinstance(row, dict):
            continue
        name = row.get("run_name") or row.get("name")
        if not isinstance(name, str) or name.count("/") < 2:
            continue
        bench = out.get(name)
        if bench is None:
            bench = out[name] = Benchmark(name, *_split_name(name))
        if row.get("error_occurred"):
            message = str(row.get("error_message", "failed"))
            if message not in bench.errors:
                bench.errors.append(message)
            continue
        run_type = row.get("run_type", "iteration")
        if run_type == "aggregate":
            if row.get("aggregate_name") == "median":
                bench.median_row = row
            continue
        scale = _TO_SECONDS.get(row.get("time_unit", "ns"))
        real = row.get("real_time")
        if scale is None or not isinstance(real, (int, float)):
            continue
        bench.real_s.append(float(real) * scale)
        if isinstance(row.get("label"), str) and row["label"] and row["label"] not in bench.labels:
            bench.labels.append(row["label"])
        if isinstance(row.get("attributes"), dict):
            for key, value in row["attributes"].items():
                bench.row_attributes.setdefault(str(key), value)
        for key, value in row.items():
            if key in _ROW_FIELDS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            bench.counters.setdefault(key, []).append(float(value))
    return out


_ROW_FIELDS = {"family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
               "iterations", "real_time", "cpu_time"}
