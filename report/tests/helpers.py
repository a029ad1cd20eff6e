"""Shared by the report tests: the committed fixture and running the report."""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(HERE, "fixtures", "nested-vm")
VERDICT_PREFIXES = ("confirmed", "not observed", "contradicted", "not measurable here: ")


def run_report(*args, timeout=240):
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "report", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, cwd=ROOT)
