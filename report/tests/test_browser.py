"""report.html in a real browser (headless Chromium from file://, offline): every chart
loads, no script error, and the screenshot is not blank. The page writes errors into
its own title (pages.py), which --dump-dom shows."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import matplotlib.image
import numpy as np

from report.tests.helpers import FIXTURE, run_report

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


class ReportInChromium(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.chromium = find_chromium()
        if cls.chromium is None:
            raise unittest.SkipTest("chromium not installed (scripts/setup installs it)")
        cls.dir = tempfile.mkdtemp(prefix="isobench-report-browser-")
        cls.out = os.path.join(cls.dir, "report")
        run = run_report("--out", cls.out, FIXTURE)
        if run.returncode != 0:
            raise AssertionError(f"report failed: {run.stderr}")
        cls.url = "file://" + os.path.join(cls.out, "report.html")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "dir", ""), ignore_errors=True)

    def browse(self, *extra):
        profile = tempfile.mkdtemp(prefix="isobench-chromium-", dir=self.dir)
        return subprocess.run([self.chromium, *FLAGS, f"--user-data-dir={profile}", *extra, self.url],
                              capture_output=True, text=True, timeout=120)

    def test_page_loads_every_chart_without_script_errors(self):
        run = self.browse("--dump-dom")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        title = re.search(r"<title>(.*?)</title>", run.stdout, re.S)
        self.assertIsNotNone(title, run.stdout[:500])
        self.assertEqual(title.group(1), "isobench report (ok)")
        console_errors = [line for line in run.stderr.splitlines()
                          if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
        self.assertEqual(console_errors, [])

    def test_screenshot_is_not_blank(self):
        shot = os.path.join(self.dir, "shot.png")
        run = self.browse(f"--screenshot={shot}", "--window-size=1200,2400", "--hide-scrollbars")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        pixels = matplotlib.image.imread(shot)[..., :3]
        colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
        self.assertGreater(len(colours), 50, "screenshot looks blank")
        white = np.mean(np.all(pixels > 0.97, axis=-1))
        self.assertLess(white, 0.97, "screenshot is almost all white")


if __name__ == "__main__":
    unittest.main()
