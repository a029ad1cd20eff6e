#!/usr/bin/env bash
# How often `bench ab` catches a planted 10% slowdown of the container launch with the
# default repetitions (opt-in study, not part of ctest; README "CI: a regression gate").
#
#   bench/tools/ab_detection.sh BENCH PLANTED_BENCH [RUNS] [-- SELECTION...]
#
# PLANTED_BENCH is a build with the test-only option, e.g.
#   cmake -S . -B /tmp/planted -DISOBENCH_PLANTED_CONTAINER_DELAY_US=N && cmake --build /tmp/planted --target bench
# with N microseconds = 10% of this machine's startup/container/noop median (this script
# prints the median BASE measured, so N can be checked against it). Each of RUNS rounds
# (default 10) runs `bench ab BENCH PLANTED_BENCH SELECTION` (default: the CI selection)
# and reports whether startup/container/noop was a regression, and what else was flagged.
set -euo pipefail
bench=$(realpath "$1"); planted=$(realpath "$2"); runs=${3:-10}
shift $(( $# >= 3 ? 3 : 2 ))
[[ ${1:-} == -- ]] && shift
selection=("$@")
target=startup/container/noop
work=$(mktemp -d /tmp/isobench-ab-study.XXXXXX)
trap 'rm -rf "$work"' EXIT
delay=$(grep -o '"planted_launch_delay_us": "[0-9]*"' <("$planted" --backend container --suite startup --filter "$target\$" --repetitions 1 --out "$work/probe" >/dev/null 2>&1; cat "$work/probe/results.json") | grep -o '[0-9]*' || true)
[[ -n $delay ]] || { echo "ab_detection: $planted does not record planted_launch_delay_us: not a planted build" >&2; exit 2; }
echo "planted delay: $delay us per container launch; load before: $(uptime)"
caught=0 others=0
for round in $(seq 1 "$runs"); do
  "$bench" ab "$bench" "$planted" "${selection[@]}" --out "$work/ab-$round" >"$work/ab-$round.txt" 2>&1 || true
  row=$(grep -E "^$target +real_time" "$work/ab-$round.txt" || true)
  median=$(echo "$row" | awk '{print $3, $4}')
  if echo "$row" | grep -q ' regression'; then caught=$((caught + 1)); verdict=caught; else verdict="missed ($(echo "$row" | sed 's/.*real_time *//' | cut -c1-140))"; fi
  flagged=$(grep -E '^\S+ +real_time .*(regression|improvement)' "$work/ab-$round.txt" | awk '{print $1}' | grep -v "^$target\$" | tr '\n' ' ' || true)
  [[ -n $flagged ]] && others=$((others + $(echo "$flagged" | wc -w)))
  echo "round $round: $verdict; BASE median $median; others flagged: ${flagged:-none}"
done
echo "caught $caught of $runs; other benchmarks flagged: $others in total"
echo "load after: $(uptime)"
