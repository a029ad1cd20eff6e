"""Shared by the report tests: the committed fixture, results.json-shaped data, and
running the report."""
import copy
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(HERE, "fixtures", "nested-vm")
VERDICT_PREFIXES = ("confirmed", "contradicted", "inconclusive: ", "not measurable here: ")


def run_report(*args, timeout=240):
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "report", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)


def fixture_data():
    """The fixture's results.json as a dict (a fresh copy each call)."""
    with open(os.path.join(FIXTURE, "results.json"), encoding="utf-8") as f:
        return json.load(f)


def write_results(folder, data):
    """Writes `data` as FOLDER/results.json; returns FOLDER."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "results.json"), "w", encoding="utf-8") as f:
        json.dump(data, f)
    return folder


def ladder_step(backend, step, baseline, point, low, high, *, family="container", share=0.5, top=False,
                on_top_chain=True, method="paired", verdict="adds time"):
    """One claims.ladder entry, shaped as bench writes it (bench/results/claims.hpp)."""
    interval = {"point": point, "low": low, "high": high, "level": 0.95}
    return {"backend": backend, "family": family, "step": step, "name": f"ladder/{backend}/noop/{step}",
            "baseline": baseline, "method": "floor" if baseline is None else method, "cost_s": interval,
            "total_s": copy.deepcopy(interval), "share": share, "repetitions": 10, "verdict": verdict, "top": top,
            "on_top_chain": on_top_chain}


# A ladder with a floor, a chain of two steps and one primitive alone, in bench's order.
SAMPLE_LADDER = [
    ladder_step("container", "spawn", None, 2.0e-3, 1.8e-3, 2.3e-3, share=0.6),
    ladder_step("container", "alone_net", "spawn", 3.0e-4, -1.0e-4, 6.0e-4, on_top_chain=False,
                verdict="inconclusive: ~40 repetitions would decide"),
    ladder_step("container", "cumulative_1_mnt", "spawn", 5.0e-4, 2.0e-4, 9.0e-4, share=0.15),
    ladder_step("container", "cumulative_2_pivot_root", "cumulative_1_mnt", 8.0e-4, 4.0e-4, 1.1e-3, share=0.25,
                top=True),
]


def fixture_with_ladder():
    data = fixture_data()
    data["claims"]["ladder"] = copy.deepcopy(SAMPLE_LADDER)
    return data
