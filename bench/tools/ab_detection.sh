#!/usr/bin/env bash
# How often `bench ab` catches a planted 10% slowdown of the container launch with the
# default repetitions (opt-in study, not part of ctest; README "CI: a regression gate").
#
#   bench/tools/ab_detection.sh BENCH PLANTED_BENCH [RUNS] [-- SELECTION...]
#
# PLANTED_BENCH is a build of the same source with the test-only option, e.g.
#   cmake -S . -B build-planted -DISOBENCH_PLANTED_CONTAINER_SLOWDOWN_PCT=10 &&
#   cmake --build build-planted --target bench isobench-workload
# which makes every container's whole life 10% longer, whatever the load. Each of RUNS
# rounds (default 10) runs `bench ab BENCH PLANTED_BENCH SELECTION` (default: the CI
# selection) and reports whether startup/container/noop was a regression, the change it
# estimated, the load average, and what else was flagged (every other row is unchanged
# code: a flag there is a false alarm).
set -euo pipefail
bench=$(realpath "$1"); planted=$(realpath "$2"); runs=${3:-10}
shift $(( $# >= 3 ? 3 : 2 ))
[[ ${1:-} == -- ]] && shift
selection=("$@")
target=startup/container/noop
work=$(mktemp -d /tmp/isobench-ab-study.XXXXXX)
trap 'rm -rf "$work"' EXIT
pct=$(grep -o '"planted_slowdown_pct": "[0-9]*"' <("$planted" --backend container --suite startup --filter "$target\$" --repetitions 1 --out "$work/probe" >/dev/null 2>&1; cat "$work/probe/results.json") | grep -o '[0-9]*' || true)
[[ -n $pct ]] || { echo "ab_detection: $planted does not record planted_slowdown_pct: not a planted build" >&2; exit 2; }
echo "planted slowdown: $pct% of every container's whole life; load before: $(uptime)"
caught=0 others=0 failed=0
for round in $(seq 1 "$runs"); do
  rc=0
  "$bench" ab "$bench" "$planted" "${selection[@]}" --out "$work/ab-$round" >"$work/ab-$round.txt" 2>&1 || rc=$?
  if [[ ! -f $work/ab-$round/comparison.json ]]; then  # ab could not compare: say why, go on
    failed=$((failed + 1))
    echo "round $round: ab exit $rc, no comparison: $(tail -n 1 "$work/ab-$round.txt"); load $(cut -d' ' -f1-3 /proc/loadavg)"
    continue
  fi
  row=$(grep -E "^$target +real_time" "$work/ab-$round.txt" || true)
  median=$(echo "$row" | awk '{print $3, $4}')
  if echo "$row" | grep -q ' regression'; then caught=$((caught + 1)); verdict=caught; else verdict="missed ($(echo "$row" | sed 's/.*real_time *//' | cut -c1-140))"; fi
  flagged=$(grep -E '^\S+ +real_time .*(regression|improvement)' "$work/ab-$round.txt" | awk '{print $1}' | grep -v "^$target\$" | tr '\n' ' ' || true)
  [[ -n $flagged ]] && others=$((others + $(echo "$flagged" | wc -w)))
  echo "round $round: $verdict; BASE median $median; others flagged: ${flagged:-none}; load $(cut -d' ' -f1-3 /proc/loadavg)"
done
echo "caught $caught of $((runs - failed)) compared runs ($failed failed); other benchmarks flagged: $others in total"
echo "load after: $(uptime)"
