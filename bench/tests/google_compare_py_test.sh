#!/usr/bin/env bash
# Google Benchmark's own tools/compare.py (Debian's libbenchmark-tools) still reads
# results.json now that bench adds attributes, figures and claims to it: a fresh run
# compared with itself and with the committed reference run.
# Usage: google_compare_py_test.sh BENCH REFERENCE_RESULTS_JSON
set -uo pipefail
bench=$1 reference=$(realpath "$2")
compare=/usr/share/benchmark/compare.py
python=/usr/bin/python3
if [[ ! -f $compare ]]; then
  echo "FAIL: $compare is missing: scripts/setup installs libbenchmark-tools"; exit 1
fi
work=$(mktemp -d /tmp/isobench-compare-py.XXXXXX)
trap 'rm -rf "$work"' EXIT
if ! "$bench" --backend bare --suite startup --filter '^startup/bare/noop$' --repetitions 4 --out "$work/run" \
    >"$work/bench.out" 2>"$work/bench.err"; then
  echo "FAIL: bench run"; cat "$work/bench.err"; exit 1
fi
failures=0 passes=0
for other in "$work/run/results.json" "$reference"; do
  (cd "$work" && "$python" "$compare" benchmarks "$other" "$work/run/results.json") >"$work/cmp.out" 2>&1
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "FAIL: compare.py on $other exited $rc"; cat "$work/cmp.out"; failures=$((failures + 1)); continue
  fi
  if ! grep -q 'startup/bare/noop' "$work/cmp.out"; then
    echo "FAIL: compare.py printed no startup/bare/noop row for $other"; cat "$work/cmp.out"; failures=$((failures + 1)); continue
  fi
  echo "ok: compare.py reads $other"; passes=$((passes + 1))
done
# The same file also carries what bench derived, which compare.py must have skipped over.
if ! "$python" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "claims" in d and d["claims"]["rows"]; assert any("figures" in r for r in d["benchmarks"])' "$work/run/results.json"; then
  echo "FAIL: the run's results.json has no claims or figures"; failures=$((failures + 1))
else
  passes=$((passes + 1))
fi
echo "$passes passed, $failures failed"
[[ $failures -eq 0 ]]
