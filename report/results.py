"""Reading results.json (Google Benchmark JSON plus isobench's context) into samples.

A results folder may come from any subset of suites and backends, or from an older or
interrupted run: what is missing is recorded, never guessed.
"""
import json
import os
import re
from dataclasses import dataclass, field

from .errors import InputError

_TO_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass
class Benchmark:
    """One benchmark name's repetitions (iteration rows) and its median aggregate row."""

    name: str
    suite: str
    backend: str
    workload: str
    arg: str
    real_s: list = field(default_factory=list)
    counters: dict = field(default_factory=dict)  # counter -> [values per repetition]
    labels: list = field(default_factory=list)
    median_row: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    def values(self, counter):
        """Repetitions of `counter`, or of real time in seconds for "real_s"."""
        if counter == "real_s":
            return self.real_s
        return self.counters.get(counter, [])

    def attributes(self):
        """key=value pairs from the rows' labels (e.g. accel=tcg)."""
        out = {}
        for label in self.labels:
            for key, value in re.findall(r"(\w+)=(\S+)", label):
                out[key] = value
        return out


@dataclass
class Results:
    folder: str
    context: dict
    benchmarks: dict  # name -> Benchmark

    @property
    def title(self):
        stamp = os.path.basename(os.path.normpath(self.folder))
        return stamp or self.folder

    def select(self, suite=None, backend=None, workload=None):
        return [b for b in self.benchmarks.values()
                if (suite is None or b.suite == suite)
                and (backend is None or b.backend == backend)
                and (workload is None or b.workload == workload)]

    def measured(self, name):
        """The benchmark if it has at least one successful repetition."""
        bench = self.benchmarks.get(name)
        return bench if bench is not None and bench.real_s else None

    def why_missing(self, name):
        """One phrase saying why `name` has no figures here."""
        bench = self.benchmarks.get(name)
        if bench is not None and bench.errors:
            return f"{name}: {bench.errors[0]}"
        backend = name.split("/")[1] if name.count("/") >= 2 else ""
        info = self.context.get("backends", {}).get(backend) if isinstance(self.context.get("backends"), dict) else None
        if isinstance(info, dict) and info.get("available") is False:
            return f"{name}: backend {backend} unavailable: {info.get('reason', 'no reason given')}"
        return f"no {name} rows in this run"

    def backend_reason(self, backend):
        info = self.context.get("backends", {})
        info = info.get(backend) if isinstance(info, dict) else None
        if isinstance(info, dict) and info.get("available") is False:
            return f"backend {backend} unavailable: {info.get('reason', 'no reason given')}"
        return None

    def guest_accel(self):
        """'tcg' or 'kvm' when a VM backend says which accelerator its guest used, else None."""
        found = None
        for bench in self.benchmarks.values():
            if bench.backend in ("vm", "qemu"):
                accel = bench.attributes().get("accel")
                if accel:
                    found = accel if found in (None, accel) else "tcg" if "tcg" in (found, accel) else found
        if found:
            return found
        backends = self.context.get("backends", {})
        for name in ("vm", "qemu"):
            info = backends.get(name) if isinstance(backends, dict) else None
            if isinstance(info, dict):
                for key in ("accel", "vm_accel", "accelerator"):
                    if isinstance(info.get(key), str) and info[key] in ("tcg", "kvm"):
                        return info[key]
        return None


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
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    return Results(folder=os.path.dirname(path) if path != folder else folder, context=context,
                   benchmarks=_parse_rows(data["benchmarks"]))


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
        for key, value in row.items():
            if key in _ROW_FIELDS or isinstance(value, bool) or not isinstance(value, (int, float)):
                continue
            bench.counters.setdefault(key, []).append(float(value))
    return out


_ROW_FIELDS = {"family_index", "per_family_instance_index", "repetitions", "repetition_index", "threads",
               "iterations", "real_time", "cpu_time"}
