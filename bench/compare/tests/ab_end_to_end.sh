#!/usr/bin/env bash
# `bench ab` through the real binary, with two copies of it as BASE and NEW on a tiny
# selection (bare startup): the files it keeps, exit codes 0/1/2, the Markdown summary
# and github-action-benchmark's JSON. The regression is planted in NEW's results (its
# times scaled x100 after each block; a loaded host stretches single spawns by x10), so
# the test does not depend on the machine's speed or load.
# Usage: ab_end_to_end.sh BENCH RESULTS_TOOL
set -uo pipefail
bench=$(realpath "$1") tool=$(realpath "$2")
work=$(mktemp -d /tmp/isobench-ab-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0

expect() {  # expect CODE DESCRIPTION -- COMMAND...; code 2 also wants one line on stderr
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/out" "$work/err"; failures=$((failures + 1)); return
  fi
  if [[ $want -eq 2 ]]; then
    if [[ $(wc -l <"$work/err") -ne 1 ]] || ! grep -q '^bench: ' "$work/err"; then
      echo "FAIL: $what: expected one line on stderr, got:"; cat "$work/err"; failures=$((failures + 1)); return
    fi
  fi
  echo "ok: $what (exit $got)"
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then echo "ok: $3"; else echo "FAIL: $3: no '$2' in:"; cat "$1"; failures=$((failures + 1)); fi
}
count_is() {  # count_is WANT GOT DESCRIPTION
  if [[ $1 -eq $2 ]]; then echo "ok: $3"; else echo "FAIL: $3: $2, expected $1"; failures=$((failures + 1)); fi
}

# Two copies of the build: bench finds its workload binary next to itself.
for side in a b; do
  mkdir -p "$work/$side"
  cp "$bench" "$(dirname "$bench")/isobench-workload" "$work/$side/"
done
selection=(--backend bare --suite startup --filter 'startup/bare/noop$' --repetitions 24 --blocks 12)

expect 0 "a build against a copy of itself passes" -- "$bench" ab "$work/a/bench" "$work/b/bench" "${selection[@]}" --out "$work/same"
for file in base/results.json new/results.json comparison.json summary.md github-action-benchmark.json; do
  if [[ -s $work/same/$file ]]; then echo "ok: kept $file"; else echo "FAIL: no $file"; failures=$((failures + 1)); fi
done
leftovers=$(find "$work/same" -name 'isobench-ab-blocks-*' | wc -l)
count_is 0 "$leftovers" "the blocks' own folders are removed"
# 24 repetitions per side, 2 in each of 12 blocks, merged with indices 0..23.
count_is 24 "$(grep -c '"run_type": "iteration"' "$work/same/base/results.json")" "BASE: 24 iteration rows"
count_is 24 "$(grep -c '"run_type": "iteration"' "$work/same/new/results.json")" "NEW: 24 iteration rows"
for i in 0 1 2 3 4 5 6 7 8 23; do contains "$work/same/new/results.json" "\"repetition_index\": $i" "NEW has repetition_index $i"; done
contains "$work/same/new/results.json" '"aggregate_name": "median"' "NEW has its aggregates recomputed"
contains "$work/same/new/results.json" '"order": "ABBA"' "NEW's context says how it ran"
contains "$work/same/comparison.json" '"correction": "holm-bonferroni"' "comparison: the correction"
contains "$work/same/comparison.json" '"exit_code": 0' "comparison: exit code"
contains "$work/same/comparison.json" '"test": "block-signed-rank-exact"' "comparison: the test on the blocks' effects ran"
contains "$work/same/comparison.json" '"base": "server"' "comparison: BASE ran as a side server"
contains "$work/same/summary.md" "## isobench A/B: no regression" "summary: headline"
contains "$work/same/summary.md" "**Expected false alarms:** Holm-Bonferroni over the 1 benchmark(s)" "summary: false-alarm rate"
contains "$work/same/github-action-benchmark.json" '"name": "startup/bare/noop"' "action JSON: the benchmark"
contains "$work/same/github-action-benchmark.json" '"unit": "us"' "action JSON: its unit"
contains "$work/out" "error control: Holm-Bonferroni" "terminal: the error-control line"

# NEW a hundred times slower: the real bench, then each block's results scaled. It
# answers `ab-side` as a bench from before the server mode does, so this also runs ab's
# fallback: one process per block for that side, said in the summary.
cat >"$work/slower" <<SCRIPT
#!/bin/sh
if [ "\$1" = ab-side ]; then echo "bench: unknown command 'ab-side' (try bench --help)" >&2; exit 2; fi
"$work/b/bench" "\$@"; rc=\$?
for arg in "\$@"; do case \$arg in --out=*) out=\${arg#--out=};; esac; done
[ -f "\$out/results.json" ] && "$tool" scale "\$out/results.json" "\$out/results.json" 100
exit \$rc
SCRIPT
chmod +x "$work/slower"
expect 1 "a slower NEW is a regression" -- "$bench" ab "$work/a/bench" "$work/slower" "${selection[@]}" --out "$work/slow"
contains "$work/err" "bench: ab: 1 regression(s)" "regression: stderr says why"
contains "$work/slow/summary.md" "## isobench A/B: 1 regression(s)" "regression: summary headline"
contains "$work/slow/summary.md" "**regression**" "regression: summary table row"
contains "$work/slow/comparison.json" '"exit_code": 1' "regression: comparison exit code"
contains "$work/slow/github-action-benchmark.json" 'regression' "regression: action JSON extra"
contains "$work/slow/summary.md" "it has no side server mode (bench: unknown command 'ab-side'" "fallback: the summary says NEW had no server mode"
contains "$work/slow/comparison.json" '"new": "one process per block"' "fallback: comparison.json says how NEW ran"
contains "$work/out" "one process per block" "fallback: said on the terminal"

# Too few repetitions to decide: said, not silently passed.
expect 0 "two repetitions in two blocks cannot decide" -- "$bench" ab "$work/a/bench" "$work/slower" --backend bare --suite startup --filter 'startup/bare/noop$' --repetitions 2 --blocks 2 --out "$work/thin"
contains "$work/thin/summary.md" "**Not decided:** 1 benchmark(s)" "thin: summary says it could not decide"
contains "$work/out" "cannot reach p < 0.01" "thin: the row says why"

# Bad input: exit 2, one line, nothing run.
printf 'not a binary\n' >"$work/plain"
printf '#!/bin/sh\necho "bench: --repetition-slice: unknown flag" >&2\nexit 2\n' >"$work/old-bench"
chmod +x "$work/old-bench"
expect 2 "a missing BASE binary" -- "$bench" ab "$work/none/bench" "$work/b/bench" "${selection[@]}" --out "$work/bad1"
expect 2 "a NEW that is not executable" -- "$bench" ab "$work/a/bench" "$work/plain" "${selection[@]}" --out "$work/bad2"
expect 2 "only one side" -- "$bench" ab "$work/a/bench"
expect 2 "a bad --blocks" -- "$bench" ab "$work/a/bench" "$work/b/bench" --blocks 0
(cd "$work" && expect 2 "a revision outside any git repository" -- "$bench" ab no-such-revision "$work/b/bench" "${selection[@]}" --out "$work/bad3")
expect 2 "a side that cannot run the selection" -- "$bench" ab "$work/a/bench" "$work/old-bench" "${selection[@]}" --out "$work/bad4"
contains "$work/err" "unknown flag" "a failing side: its own last line is passed on"
count_is 0 "$(find "$work" -name 'isobench-ab-blocks-*' | wc -l)" "no blocks folder left after failures"

if [[ $failures -gt 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all ab end-to-end checks passed"
