#!/usr/bin/env bash
# How often `bench ab` of one build against itself cries wolf, and what it costs against
# one --quick run (opt-in study, not part of ctest; README "CI: a regression gate").
#
#   bench/tools/ab_false_alarms.sh BENCH [RUNS] [-- SELECTION...]
#
# Runs RUNS rounds (default 10) of: one `BENCH SELECTION --quick` run, then
# `BENCH ab A B SELECTION` where A and B are two copies of the same build. Without
# SELECTION, both use bench ab's default CI selection. Prints each round's flagged
# benchmarks (regressions + improvements), the total against the goal
# alpha x benchmarks tested x runs, and the wall time of ab over the --quick run.
set -euo pipefail
bench=$(realpath "$1"); runs=${2:-10}
shift $(( $# >= 2 ? 2 : 1 ))
[[ ${1:-} == -- ]] && shift
selection=("$@")
quick_selection=()  # the same selection for one plain run, without ab's own flags
for ((i = 0; i < ${#selection[@]}; i++)); do
  case ${selection[i]} in
    --blocks|--threshold|--alpha) i=$((i + 1)) ;;
    --blocks=*|--threshold=*|--alpha=*) ;;
    *) quick_selection+=("${selection[i]}") ;;
  esac
done
if [[ ${#selection[@]} -eq 0 ]]; then quick_selection=(--backend bare,container,crun,runc --suite startup,syscall,cpu --quick); fi
work=$(mktemp -d /tmp/isobench-ab-study.XXXXXX)
trap 'rm -rf "$work"' EXIT
for side in a b; do
  mkdir -p "$work/$side"; cp "$bench" "$(dirname "$bench")/isobench-workload" "$work/$side/"
done
now() { date +%s.%N; }
echo "load before: $(uptime)"
total_flagged=0 total_tested=0 ratios=() failed_rounds=0 last=
for round in $(seq 1 "$runs"); do
  t0=$(now)
  "$bench" "${quick_selection[@]}" --out "$work/quick-$round" >/dev/null 2>&1 || true
  t1=$(now)
  rc=0
  "$bench" ab "$work/a/bench" "$work/b/bench" "${selection[@]}" --out "$work/ab-$round" >"$work/ab-$round.txt" 2>&1 || rc=$?
  t2=$(now)
  json=$work/ab-$round/comparison.json
  if [[ ! -f $json ]]; then  # ab could not compare: say why, and go on with the next round
    failed_rounds=$((failed_rounds + 1))
    printf 'round %2d: ab exit %d, no comparison: %s | load %s\n' "$round" "$rc" "$(tail -n 1 "$work/ab-$round.txt")" \
      "$(cut -d' ' -f1-3 /proc/loadavg)"
    continue
  fi
  regressions=$(grep -o '"regression": [0-9]*' "$json" | tail -1 | grep -o '[0-9]*$')
  improvements=$(grep -o '"improvement": [0-9]*' "$json" | tail -1 | grep -o '[0-9]*$')
  tested=$(grep -o '"tests": [0-9]*' "$json" | grep -o '[0-9]*$')
  flagged=$((regressions + improvements))
  last=$round
  total_flagged=$((total_flagged + flagged)); total_tested=$((total_tested + tested))
  names=$(grep -E '^\S+ +real_time .*(regression|improvement)' "$work/ab-$round.txt" | awk '{print $1}' | tr '\n' ' ' || true)
  ratio=$(echo "($t2 - $t1) / ($t1 - $t0)" | bc -l)
  ratios+=("$ratio")
  printf 'round %2d: %d flagged of %d tested %s| quick %.1f s, ab %.1f s, ratio %.2f | load %s\n' "$round" "$flagged" "$tested" \
    "${names:+($names) }" "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)" "$ratio" "$(cut -d' ' -f1-3 /proc/loadavg)"
done
[[ -n $last ]] || { echo "no round compared anything"; exit 1; }
alpha=$(grep -o '"alpha": [0-9.e-]*' "$work/ab-$last/comparison.json" | head -1 | grep -o '[0-9.e-]*$')
echo "total: $total_flagged flagged over $((runs - failed_rounds)) compared runs ($failed_rounds failed), $total_tested benchmark tests; goal at most alpha x tests = $(echo "$alpha * $total_tested" | bc -l | cut -c1-5)"
echo "not compared in the last run: $(grep -o '"inconclusive": [0-9]*' "$work/ab-$last/comparison.json" | tail -1 | grep -o '[0-9]*$') benchmark(s)"
echo "ab / quick wall time: $(printf '%s\n' "${ratios[@]}" | sort -g | awk '{r[NR] = $1} END {printf "min %.2f, median %.2f, max %.2f over %d rounds", r[1], (NR % 2 ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2), r[NR], NR}')"
echo "load after: $(uptime)"
