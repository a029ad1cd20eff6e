"""Bad input: one line on stderr and exit 2, or a report that marks what is missing;
never a Python traceback."""
import json
import os
import shutil
import tempfile
import unittest

from report.tests.helpers import FIXTURE, run_report


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

    def test_partial_run_marks_what_is_missing(self):
        # An older or interrupted run: only unavailable rows and a context without backends.
        rows = [{"name": "startup/vm/noop", "run_name": "startup/vm/noop", "run_type": "iteration",
                 "error_occurred": True, "error_message": "unavailable: no guest kernel"}]
        folder = self.write("partial", json.dumps({"context": {"date": "x"}, "benchmarks": rows}))
        out = os.path.join(self.dir, "out")
        run = run_report("--out", out, folder)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertNotIn("Traceback", run.stderr)
        self.assertIn("not measurable here", run.stdout)
        self.assertIn("no guest kernel", run.stdout)
        with open(os.path.join(out, "report.html"), encoding="utf-8") as f:
            self.assertIn("not drawn:", f.read())

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
