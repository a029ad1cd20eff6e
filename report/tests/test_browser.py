"""report.html in a real browser (headless Chromium from file://, offline): every chart
loads, no script error, the claims table is on the first screen (kept as a screenshot),
and no two text boxes of any chart overlap, measured on the SVGs as Chromium lays them
out. The page writes errors into its own title (pages.py), which --dump-dom shows."""
import html
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import matplotlib.image
import numpy as np

from report.tests.helpers import FIXTURE, ROOT, fixture_with_ladder, run_report, write_results

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"]
REFERENCE = os.path.join(ROOT, "results", "reference", "nested-vm-pvm")
REFERENCE_TCG = os.path.join(ROOT, "results", "reference", "nested-vm-tcg")
FIRST_SCREEN = (1280, 900)


def find_chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def artifact_dir():
    """Where the first screen's screenshot is kept: ISOBENCH_ARTIFACT_DIR (ctest sets it
    to the build tree), else build/test-artifacts in the source tree."""
    return os.environ.get("ISOBENCH_ARTIFACT_DIR") or os.path.join(ROOT, "build", "test-artifacts")


# Appended to a copy of a page: writes what the test asks into a <pre id="probe"> that
# --dump-dom returns. Text boxes are the <text> elements' client rectangles, so what is
# measured is what Chromium drew, with its fonts.
_OVERLAP_PROBE = """
<pre id="probe"></pre>
<script>
window.addEventListener('load', function () {
  var out = {charts: 0, texts: 0, overlaps: []};
  document.querySelectorAll('div[data-chart]').forEach(function (div) {
    out.charts++;
    var boxes = [];
    div.querySelectorAll('text').forEach(function (t) {
      var r = t.getBoundingClientRect();
      if (!t.textContent.trim() || r.width === 0 || r.height === 0) return;
      boxes.push({text: t.textContent.trim(), l: r.left, r: r.right, t: r.top, b: r.bottom});
    });
    out.texts += boxes.length;
    for (var i = 0; i < boxes.length; i++) for (var j = i + 1; j < boxes.length; j++) {
      var a = boxes[i], b = boxes[j];
      var w = Math.min(a.r, b.r) - Math.max(a.l, b.l), h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      // a pixel of touching is not an overlap: glyph boxes carry some air
      if (w > 1.5 && h > 1.5) out.overlaps.push(div.dataset.chart + ': "' + a.text + '" / "' + b.text + '"');
    }
  });
  document.getElementById('probe').textContent = JSON.stringify(out);
});
</script>
"""

_FIRST_SCREEN_PROBE = """
<pre id="probe"></pre>
<script>
window.addEventListener('load', function () {
  var table = document.getElementById('claims').getBoundingClientRect();
  var firstImage = document.images.length ? document.images[0].getBoundingClientRect().top : null;
  document.getElementById('probe').textContent = JSON.stringify(
    {tableTop: table.top, tableBottom: table.bottom, height: window.innerHeight, firstImage: firstImage});
});
</script>
"""


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
        # Every kind of chart, per host and across hosts: two committed real runs from
        # different hosts (kernels, VM accelerators), with footprint, density, images,
        # network and the ladder, beside the fixture with a sample ladder.
        third = write_results(os.path.join(cls.dir, "fixture-with-ladder"), fixture_with_ladder())
        cls.hosts_out = os.path.join(cls.dir, "hosts")
        run = run_report("--out", cls.hosts_out, REFERENCE, REFERENCE_TCG, third)
        if run.returncode != 0:
            raise AssertionError(f"two-host report failed: {run.stderr}")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(getattr(cls, "dir", ""), ignore_errors=True)

    def browse(self, page, *extra):
        profile = tempfile.mkdtemp(prefix="isobench-chromium-", dir=self.dir)
        return subprocess.run([self.chromium, *FLAGS, f"--user-data-dir={profile}", *extra, "file://" + page],
                              capture_output=True, text=True, timeout=120)

    def probe(self, page, *extra):
        run = self.browse(page, "--dump-dom", *extra)
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        found = re.search(r'<pre id="probe">(.*?)</pre>', run.stdout, re.S)
        self.assertIsNotNone(found, run.stdout[-1000:])
        return json.loads(html.unescape(found.group(1)))

    def with_probe(self, page, probe, name):
        with open(page, encoding="utf-8") as f:
            text = f.read()
        copy = os.path.join(os.path.dirname(page), name)
        with open(copy, "w", encoding="utf-8") as f:
            f.write(text.replace("</body></html>", probe + "</body></html>"))
        return copy

    def test_page_loads_every_chart_without_script_errors(self):
        for out in (self.out, self.hosts_out):
            run = self.browse(os.path.join(out, "report.html"), "--dump-dom")
            self.assertEqual(run.returncode, 0, run.stderr[-2000:])
            title = re.search(r"<title>(.*?)</title>", run.stdout, re.S)
            self.assertIsNotNone(title, run.stdout[:500])
            self.assertEqual(title.group(1), "isobench report (ok)", out)
            self.assertGreater(run.stdout.count("<img "), 3, out)
            if out == self.hosts_out:
                # one column per host in the claims table; the hosts' kernels differ
                self.assertIn("<th>nested-vm-tcg (vm)</th>", run.stdout)
                self.assertRegex(run.stdout, r'<tr class="differs"><th>host kernel</th><td>6\.18\.44-fc-v1272</td>'
                                             r'<td>6\.18\.44-fc-v782</td>')
            console_errors = [line for line in run.stderr.splitlines()
                              if "CONSOLE" in line and ("Uncaught" in line or "Error" in line)]
            self.assertEqual(console_errors, [])

    def test_first_screen_is_the_claims_table_and_is_kept(self):
        width, height = FIRST_SCREEN
        size = f"--window-size={width},{height}"
        layout = self.probe(self.with_probe(os.path.join(self.out, "report.html"), _FIRST_SCREEN_PROBE,
                                            "first-screen-probe.html"), size)
        self.assertLess(layout["tableTop"], height / 3, layout)
        self.assertLess(layout["tableBottom"], height, f"the claims table runs off the first screen: {layout}")
        self.assertGreater(layout["firstImage"], layout["tableBottom"], layout)
        os.makedirs(artifact_dir(), exist_ok=True)
        shot = os.path.join(artifact_dir(), "report-first-screen.png")
        run = self.browse(os.path.join(self.out, "report.html"), f"--screenshot={shot}", size, "--hide-scrollbars")
        self.assertEqual(run.returncode, 0, run.stderr[-2000:])
        pixels = matplotlib.image.imread(shot)[..., :3]
        self.assertEqual(pixels.shape[:2], (height, width))
        colours = np.unique((pixels * 255).astype(np.uint8).reshape(-1, 3), axis=0)
        self.assertGreater(len(colours), 50, "screenshot looks blank")
        # the verdict colours of the claims table are on it
        rgb = {tuple(c) for c in colours}
        self.assertTrue({(0xd8, 0xf0, 0xd8), (0xe4, 0xe4, 0xe4)} & rgb, "no verdict colour on the first screen")

    def test_no_two_texts_of_a_chart_overlap(self):
        charts_dir = os.path.join(self.hosts_out, "charts")
        svgs = sorted(name for name in os.listdir(charts_dir) if name.endswith(".svg"))
        self.assertGreaterEqual(len(svgs), 20, svgs)
        parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"]
        for name in svgs:
            with open(os.path.join(charts_dir, name), encoding="utf-8") as f:
                svg = f.read()
            svg = svg[svg.index("<svg"):]  # no XML prolog or doctype inside HTML
            parts.append(f'<div data-chart="{name}">{svg}</div>')
        page = os.path.join(self.hosts_out, "svg-overlap-probe.html")
        with open(page, "w", encoding="utf-8") as f:
            f.write("".join(parts) + _OVERLAP_PROBE + "</body></html>")
        found = self.probe(page, "--window-size=1600,1200")
        self.assertEqual(found["charts"], len(svgs))
        self.assertGreater(found["texts"], 20 * len(svgs))
        self.assertEqual(found["overlaps"], [])


if __name__ == "__main__":
    unittest.main()
