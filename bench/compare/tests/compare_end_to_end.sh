#!/usr/bin/env bash
# `bench compare` through the real binary: exit codes 0/1/2, one-line errors, --json,
# --baseline auto. Usage: compare_end_to_end.sh BENCH RESULTS_TOOL FIXTURES_DIR
set -uo pipefail
bench=$1 tool=$2 fixtures=$3
work=$(mktemp -d /tmp/isobench-compare-e2e.XXXXXX)
trap 'rm -rf "$work"' EXIT
fixture=$fixtures/startup_bare_20.json
failures=0

# expect CODE DESCRIPTION -- COMMAND...: runs it, checks the exit status; for code 2
# also that stderr is exactly one line starting with "bench: ".
expect() {
  local want=$1 what=$2
  shift 3
  "$@" >"$work/out" 2>"$work/err"
  local got=$?
  if [[ $got -ne $want ]]; then
    echo "FAIL: $what: exit $got, expected $want"; cat "$work/out" "$work/err"; failures=$((failures + 1)); return
  fi
  if [[ $want -eq 2 ]]; then
    local lines
    lines=$(wc -l <"$work/err")
    if [[ $lines -ne 1 ]] || ! grep -q '^bench: ' "$work/err"; then
      echo "FAIL: $what: expected one line on stderr, got:"; cat "$work/err"; failures=$((failures + 1)); return
    fi
  fi
  echo "ok: $what (exit $got)"
}
contains() {  # contains FILE TEXT DESCRIPTION
  if grep -qF -- "$2" "$1"; then echo "ok: $3"; else echo "FAIL: $3: no '$2' in:"; cat "$1"; failures=$((failures + 1)); fi
}

"$tool" scale "$fixture" "$work/halved.json" 0.5 || exit 1
"$tool" scale "$fixture" "$work/doubled.json" 2 || exit 1
"$tool" scale "$fixture" "$work/plus1pct.json" 1.01 || exit 1

expect 0 "a run compared with itself passes" -- "$bench" compare "$fixture" "$fixture"
contains "$work/out" "0 regressions, 0 improvements, 2 no change" "self comparison: two benchmarks, no change"
expect 0 "halved times are improvements" -- "$bench" compare "$fixture" "$work/halved.json" --json "$work/halved-verdicts.json"
contains "$work/out" "2 improvements" "halved: two improvements"
contains "$work/halved-verdicts.json" '"improvement": 2' "halved: --json summary"
expect 1 "doubled times are a regression" -- "$bench" compare "$fixture" "$work/doubled.json"
contains "$work/out" "2 regressions" "doubled: two regressions"
contains "$work/err" "bench: compare: 2 regression(s)" "doubled: stderr says why"
expect 0 "a 1% change on noisy data is not a regression" -- "$bench" compare "$fixture" "$work/plus1pct.json" --threshold 0
expect 0 "a threshold above the change accepts it" -- "$bench" compare "$fixture" "$work/doubled.json" --threshold 150%
expect 2 "--normalize bare with only bare benchmarks has nothing to judge" -- "$bench" compare --normalize bare "$fixture" "$work/doubled.json"

# A machine three times slower: absolute times regress, ratios to bare do not.
"$tool" synth "$work/synth-base.json" 6 20 1 || exit 1
"$tool" synth "$work/synth-slower.json" 6 20 2 3 || exit 1
expect 1 "a slower machine regresses absolute times" -- "$bench" compare "$work/synth-base.json" "$work/synth-slower.json"
expect 0 "a slower machine keeps ratios to bare" -- "$bench" compare --normalize bare "$work/synth-base.json" "$work/synth-slower.json"
contains "$work/out" "0 regressions, 0 improvements, 3 no change" "normalized: the three container benchmarks judged"

# Corrupt inputs: exit 2, one line, no crash.
: >"$work/empty.json"
head -c 3000 "$fixture" >"$work/truncated.json"
printf 'not json at all\n' >"$work/text.json"
printf '{"context": {}, "benchmarks": [{"name": 1}]}' >"$work/schema.json"
printf '[]' >"$work/array.json"
head -c 4096 /dev/urandom >"$work/random.json"
for bad in empty truncated text schema array random; do
  expect 2 "$bad input is refused" -- "$bench" compare "$fixture" "$work/$bad.json"
  expect 2 "$bad input is refused as BASE too" -- "$bench" compare "$work/$bad.json" "$fixture"
done
expect 2 "a missing file" -- "$bench" compare "$fixture" "$work/nope.json"
contains "$work/err" "No such file or directory" "missing file: errno text"

# Usage errors.
expect 2 "unknown flag" -- "$bench" compare --bogus "$fixture" "$fixture"
expect 2 "bad threshold" -- "$bench" compare --threshold five "$fixture" "$fixture"
expect 2 "bad alpha" -- "$bench" compare --alpha 2 "$fixture" "$fixture"
expect 2 "alpha without a value" -- "$bench" compare "$fixture" "$fixture" --alpha
expect 2 "one file" -- "$bench" compare "$fixture"
expect 2 "three files" -- "$bench" compare "$fixture" "$fixture" "$fixture"
expect 2 "bad --normalize" -- "$bench" compare --normalize vm "$fixture" "$fixture"
expect 2 "a metric without a direction" -- "$bench" compare --metric widgets "$fixture" "$fixture"

# Baselines per testbed.
mkdir -p "$work/baselines"
expect 2 "--baseline auto without a baseline" -- "$bench" compare --baseline auto --baselines-dir "$work/baselines" "$fixture"
contains "$work/err" "no baseline for this testbed" "--baseline auto: says there is none"
expect 0 "--fingerprint" -- "$bench" compare --fingerprint "$fixture"
fingerprint=$(cat "$work/out")
cp "$fixture" "$work/baselines/$fingerprint.json"
expect 1 "--baseline auto picks this testbed's baseline" -- "$bench" compare --baseline auto --baselines-dir "$work/baselines" "$work/doubled.json"
contains "$work/err" "$fingerprint.json" "--baseline auto: names the baseline"

if [[ $failures -ne 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
