"""The report rendered from a fixture that a real run produced: files, charts, claims."""
import copy
import os
import shutil
import subprocess
import tempfile
import unittest

import matplotlib.image
import numpy as np

from report import claims, results
from report.tests.helpers import FIXTURE, VERDICT_PREFIXES, run_report


class RenderedFixture(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp(prefix="isobench-report-test-")
        cls.rendered = run_report("--out", cls.out, FIXTURE)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.out, ignore_errors=True)

    def test_exits_zero_without_a_traceback(self):
        self.assertEqual(self.rendered.returncode, 0, self.rendered.stderr)
        self.assertNotIn("Traceback", self.rendered.stderr)

    def test_claims_table_has_every_claim_with_a_valid_verdict(self):
        lines = self.rendered.stdout.splitlines()
        self.assertTrue(lines[0].startswith("claims"), self.rendered.stdout)
        ids = [line.split()[0] for line in lines[1:] if line.startswith("  C")]
        for claim in ("C2", "C3", "C4", "C5", "C6", "C7", "C8"):
            self.assertIn(claim, ids)
        for line in lines[1:]:
            if line.startswith("  C"):
                verdict = line[13:].strip()  # "  ID(10 wide) verdict"
                self.assertTrue(verdict.startswith(VERDICT_PREFIXES), f"bad verdict in {line!r}")

    def test_startup_claim_is_measured_from_the_fixture(self):
        loaded = results.load_folder(FIXTURE)
        c5 = claims.claim_c5(loaded)
        self.assertFalse(c5.verdict.startswith("not measurable"), c5)
        self.assertRegex(c5.effect, r"×[0-9.]+ \[[0-9.]+, [0-9.]+\]")

    def test_pages_and_charts_are_written(self):
        for name in ("report.html", "report.md"):
            self.assertGreater(os.path.getsize(os.path.join(self.out, name)), 1000, name)
        for stem in ("startup_distribution", "startup_phases", "overhead_ratios"):
            for ext in ("png", "svg"):
                path = os.path.join(self.out, "charts", f"{stem}.{ext}")
                self.assertTrue(os.path.exists(path), path)
        with open(os.path.join(self.out, "report.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertNotIn("http://", page.replace('xmlns="http://www.w3.org', ""))
        self.assertNotIn("https://", page)
        self.assertIn('src="charts/startup_distribution.png"', page)
        with open(os.path.join(self.out, "report.md"), encoding="utf-8") as f:
            markdown = f.read()
        self.assertIn("| C2 |", markdown)
        self.assertIn("](charts/startup_distribution.png)", markdown)

    def test_png_charts_are_not_blank(self):
        charts = os.path.join(self.out, "charts")
        pngs = [name for name in os.listdir(charts) if name.endswith(".png")]
        self.assertGreaterEqual(len(pngs), 3)
        for name in pngs:
            pixels = matplotlib.image.imread(os.path.join(charts, name))
            colours = np.unique(pixels[..., :3].reshape(-1, 3), axis=0)
            self.assertGreater(len(colours), 20, f"{name} has only {len(colours)} colours")

    def test_same_input_gives_the_same_claims(self):
        again = run_report("--table-only", FIXTURE)
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, self.rendered.stdout)


def _scaled_copy(bench, backend, factor, label):
    clone = copy.deepcopy(bench)
    clone.name = clone.name.replace("/bare/", f"/{backend}/", 1)
    clone.backend = backend
    clone.real_s = [v * factor for v in clone.real_s]
    clone.counters = {k: [v * factor for v in vals] for k, vals in clone.counters.items()}
    clone.labels = [label]
    return clone


class TcgVerdicts(unittest.TestCase):
    """Logic on the fixture plus made-up VM rows: emulation is never blamed on the hypervisor."""

    def setUp(self):
        self.results = results.load_folder(FIXTURE)
        self.bare = [b for b in self.results.benchmarks.values() if b.backend == "bare" and b.suite != "startup"
                     and b.real_s and (b.values("ns_per_op") or b.values("bytes_per_s") or b.values("ops_per_s"))]
        if not self.bare:
            self.skipTest("fixture has no bare overhead rows")
        for bench in self.bare:
            # time-like counters scaled up, rates too: slower per op means fewer ops/s
            vm = _scaled_copy(bench, "vm", 3.0, "accel=tcg")
            for key in ("bytes_per_s", "ops_per_s"):
                if key in vm.counters:
                    vm.counters[key] = [v / 9.0 for v in vm.counters[key]]
            self.results.benchmarks[vm.name] = vm

    def test_tcg_slowdown_is_not_blamed_on_the_hypervisor(self):
        self.assertEqual(self.results.guest_accel(), "tcg")
        c2 = claims.claim_c2(self.results)
        self.assertNotEqual(c2.verdict, "confirmed")
        self.assertIn("TCG", c2.verdict + c2.note)

    def test_kvm_micro_vm_decides_under_tcg(self):
        bench = results.Benchmark("hypervisor/kvm/compute_loop", "hypervisor", "kvm", "compute_loop", "",
                                  real_s=[1e-3] * 10,
                                  counters={"guest_ns_per_op": [1.0 + i * 1e-3 for i in range(10)],
                                            "host_ns_per_op": [1.0 + i * 1e-3 for i in range(10)]})
        self.results.benchmarks[bench.name] = bench
        c2 = claims.claim_c2(self.results)
        self.assertEqual(c2.verdict, "contradicted", c2)
        self.assertIn("TCG", c2.note)

    def test_with_kvm_a_real_slowdown_confirms(self):
        for bench in self.results.benchmarks.values():
            if bench.backend == "vm":
                bench.labels = ["accel=kvm"]
        self.assertEqual(claims.claim_c2(self.results).verdict, "confirmed")


class StorageMismatch(unittest.TestCase):
    """io on the container's tmpfs against bare's disk compares filesystems, not isolation."""

    def setUp(self):
        self.results = results.load_folder(FIXTURE)
        for backend, storage, rate in (("bare", "ext4", 1e8), ("container", "tmpfs", 1e9)):
            name = f"io/{backend}/seqwrite"
            self.results.benchmarks[name] = results.Benchmark(
                name, "io", backend, "seqwrite", "", real_s=[0.1 + i * 1e-3 for i in range(5)],
                counters={"bytes_per_s": [rate * (1 + i * 1e-3) for i in range(5)]}, labels=[f"storage={storage}"])

    def test_io_on_another_filesystem_is_left_out_of_the_overhead(self):
        self.assertNotIn("io", claims.suite_slowdowns(self.results, "container"))

    def test_io_on_the_same_filesystem_counts(self):
        self.results.benchmarks["io/container/seqwrite"].labels = ["storage=ext4"]
        self.assertIn("io", claims.suite_slowdowns(self.results, "container"))


class BenchReportCommand(unittest.TestCase):
    """`bench report` end to end, when ctest passes the built binary."""

    def setUp(self):
        self.bench = os.environ.get("ISOBENCH_BENCH")
        if not self.bench or not os.path.exists(self.bench):
            self.skipTest("ISOBENCH_BENCH not set to the built bench binary")

    def test_renders_and_prints_the_claims(self):
        out = tempfile.mkdtemp(prefix="isobench-report-test-")
        try:
            run = subprocess.run([self.bench, "report", "--out", out, FIXTURE], capture_output=True, text=True,
                                 timeout=240)
            self.assertEqual(run.returncode, 0, run.stderr)
            self.assertIn("C7", run.stdout)
            self.assertTrue(os.path.exists(os.path.join(out, "report.html")))
        finally:
            shutil.rmtree(out, ignore_errors=True)

    def test_missing_folder_is_exit_2_with_one_line(self):
        run = subprocess.run([self.bench, "report", "/nonexistent/isobench-results"], capture_output=True,
                             text=True, timeout=120)
        self.assertEqual(run.returncode, 2)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertIn("/nonexistent/isobench-results", run.stderr)

    def test_no_folder_is_a_usage_error(self):
        run = subprocess.run([self.bench, "report"], capture_output=True, text=True, timeout=60)
        self.assertEqual(run.returncode, 2)
        self.assertIn("results folder", run.stderr)


if __name__ == "__main__":
    unittest.main()
