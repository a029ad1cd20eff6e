"""Bad input: one line on stderr and exit 2, or a report that marks what is missing;
never a Python traceback."""
import json
import os
import shutil
import tempfile
import unittest

from report.tests.helpers import FIXTURE, fixture_data, run_report


class BadInput(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="isobench-report-test-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def assert_one_line_exit_2(self, run, mentions):
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)
        self.assertIn(mentions, run.stderr)
        self.assertEqual(run.stdout, "")

    def write(self, name, text):
        folder = os.path.join(self.dir, name)
        os.makedirs(folder)
        with open(os.path.join(folder, "results.json"), "w", encoding="utf-8") as f:
            f.write(text)
        return folder

    def test_missing_folder(self):
        missing = os.path.join(self.dir, "no-such-run")
        self.assert_one_line_exit_2(run_report(missing), missing)

    def test_empty_folder(self):
        empty = os.path.join(self.dir, "empty")
        os.makedirs(empty)
        self.assert_one_line_exit_2(run_report(empty), "has no results.json")

    def test_truncated_json(self):
        with open(os.path.join(FIXTURE, "results.json"), encoding="utf-8") as f:
            text = f.read()
        folder = self.write("truncated", text[: len(text) // 2])
        self.assert_one_line_exit_2(run_report(folder), "not valid JSON")

    def test_not_a_results_file(self):
        folder = self.write("other", json.dumps({"hello": "world"}))
        self.assert_one_line_exit_2(run_report(folder), "no `benchmarks` list")

    def test_no_arguments(self):
        run = run_report()
        self.assertEqual(run.returncode, 2)
        self.assertNotIn("Traceback", run.stderr)

    def test_no_claims_section_is_one_line(self):
        # `bench report` adds the claims to an older file first; the package run by hand says so.
        data = fixture_data()
        del data["claims"]
        folder = self.write("older", json.dumps(data))
        self.assert_one_line_exit_2(run_report(folder), "bench report")
        self.assert_one_line_exit_2(run_report("--table-only", folder), "no `claims` section")

    def test_partial_run_marks_what_is_missing(self):
        # An interrupted run: only unavailable rows, a context without backends, and the
        # claims bench wrote for it (every one not measurable).
        rows = [{"name": "startup/vm/noop", "run_name": "startup/vm/noop", "run_type": "iteration",
                 "error_occurred": True, "error_message": "unavailable: no guest kernel"}]
        why = "not measurable here: startup/vm/noop: unavailable: no guest kernel"
        claims = {"version": 1, "level": 0.95, "methods": {}, "ladder": [], "overhead": [], "emulation": {},
                  "rows": [{"id": claim, "claim": "words", "metric": "metric", "backend": None,
                            "effect": {"text": "n/a", "point": None, "low": None, "high": None, "unit": "ratio"},
                            "threshold": None, "verdict": "not measurable here", "verdict_text": why,
                            "repetitions": 0, "repetitions_to_decide": None, "note": "", "figures": []}
                           for claim in ("C2", "C3", "C4", "C5", "C6 build", "C6 start", "C7", "C8")]}
        folder = self.write("partial", json.dumps({"context": {"date": "x"}, "benchmarks": rows, "claims": claims}))
        out = os.path.join(self.dir, "out")
        run = run_report("--out", out, folder)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        table = run_report("--table-only", folder)
        self.assertEqual(table.returncode, 0, table.stderr)
        self.assertIn("not measurable here", table.stdout)
        self.assertIn("no guest kernel", table.stdout)
        with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
            page = f.read()
        self.assertIn("not drawn:", page)
        self.assertIn("no guest kernel", page)

    def test_malformed_claims_is_one_line(self):
        data = fixture_data()
        data["claims"]["ladder"] = "not a list"
        folder = self.write("malformed", json.dumps(data))
        self.assert_one_line_exit_2(run_report("--table-only", folder), "claims.ladder")

    def test_unwritable_output_is_one_line(self):
        blocker = os.path.join(self.dir, "file")
        with open(blocker, "w", encoding="utf-8") as f:
            f.write("x")
        run = run_report("--out", os.path.join(blocker, "sub"), FIXTURE)
        self.assertEqual(run.returncode, 2, run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertEqual(len(run.stderr.strip().splitlines()), 1, run.stderr)


if __name__ == "__main__":
    unittest.main()
