#!/usr/bin/env bash
# `bench ab`'s sides never outlive it, on the paths other than a normal end:
#  - a side server that dies mid-run (SIGKILL): ab exits 2 with one line naming the side
#    and how it died, and nothing of the run is left running;
#  - a SIGTERM to ab mid-run: ab exits 143 and both side servers are gone;
#  - a SIGTERM to ab while it builds a git revision: no cmake, make or build step is
#    left running, and the partial build is removed.
# Every wait is for an observable state (a block's results file, a marker the build step
# writes), never a fixed time. Usage: ab_side_server.sh BENCH
set -uo pipefail
bench=$(realpath "$1")
work=$(mktemp -d /tmp/isobench-ab-side.XXXXXX)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
# Processes of this test's run: their command line or working directory under $work.
ours() {
  local p cmd
  for p in /proc/[0-9]*; do
    [[ ${p#/proc/} == "$$" || ${p#/proc/} == "$BASHPID" ]] && continue
    cmd=$( { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null) || continue
    if [[ $cmd == *"$work"* || $(readlink "$p/cwd" 2>/dev/null) == "$work"* ]]; then echo "${p#/proc/} $cmd"; fi
  done
}
cleanup() {
  local pid
  for pid in $(ours | awk '{print $1}'); do kill -9 "$pid" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
# Waits (no fixed time: polls until a limit of 120 s) for a command to succeed.
wait_for() {
  local deadline=$((SECONDS + 120))
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.05
  done
}
first_block_done() { compgen -G "$1/isobench-ab-blocks-*/base-*-part0/results.json" >/dev/null; }
nothing_left() {
  local left
  left=$(ours)
  if [[ -z $left ]]; then ok "$1: nothing of the run left running"; else fail "$1: still running:"; echo "$left"; fi
}

for side in a b; do
  mkdir -p "$work/$side"
  cp "$bench" "$(dirname "$bench")/isobench-workload" "$work/$side/"
done
# Long enough that it is still running when the test acts (1,000 blocks of 2 + 2).
selection=(--backend bare --suite startup --filter 'startup/bare/noop$' --repetitions 2000 --blocks 1000)
export ISOBENCH_STATE_DIR=$work/state

# 1. BASE's side server killed after its first block.
"$bench" ab "$work/a/bench" "$work/b/bench" "${selection[@]}" --out "$work/died" >"$work/out" 2>"$work/err" &
ab=$!
if wait_for first_block_done "$work/died"; then
  server=$(pgrep -P "$ab" -f "$work/a/bench ab-side")
  if [[ -n $server ]]; then
    kill -9 "$server"
    wait "$ab"
    rc=$?
    if [[ $rc -eq 2 && $(wc -l <"$work/err") -eq 1 ]] && grep -q "^bench: ab: base .* failed on block [0-9]*: its side server died (killed by signal 9" "$work/err"; then
      ok "a side that dies: exit 2, one line: $(cat "$work/err")"
    else
      fail "a side that dies: exit $rc, stderr:"; cat "$work/err"
    fi
  else
    fail "no side server of BASE under ab ($ab)"; kill "$ab"; wait "$ab"
  fi
else
  fail "ab did not finish a block"; cat "$work/err"; kill "$ab"; wait "$ab"
fi
nothing_left "a side that dies"
[[ -z $(compgen -G "$work/died/isobench-ab-blocks-*") ]] && ok "its blocks folder removed" || fail "blocks folder left in $work/died"

# 2. SIGTERM to ab alone, mid-run.
"$bench" ab "$work/a/bench" "$work/b/bench" "${selection[@]}" --out "$work/term" >"$work/out" 2>"$work/err" &
ab=$!
if wait_for first_block_done "$work/term"; then
  kill -TERM "$ab"
  wait "$ab"
  rc=$?
  [[ $rc -eq 143 ]] && grep -q "interrupted by signal 15" "$work/err" && ok "SIGTERM: exit 143, said" ||
    { fail "SIGTERM: exit $rc"; cat "$work/err"; }
else
  fail "ab did not finish a block"; kill "$ab"; wait "$ab"
fi
nothing_left "SIGTERM mid-run"

# 3. SIGTERM while a git revision builds. A throwaway repository whose build step says it
#    started, then runs until killed.
if command -v git >/dev/null && command -v cmake >/dev/null && command -v tar >/dev/null; then
  repo=$work/repo
  mkdir -p "$repo"
  git_() { git -C "$repo" -c user.name=isobench-test -c user.email=test@isobench.invalid "$@" >/dev/null; }
  git_ init -q
  cat >"$repo/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.20)
project(isobench_ab_slow_build LANGUAGES NONE)
add_custom_target(bench ALL COMMAND sh \${CMAKE_SOURCE_DIR}/step.sh "$work/build-started")
CMAKE
  printf 'touch "$1"\nwhile :; do sleep 1; done\n' >"$repo/step.sh"
  git_ add -A && git_ commit -q -m slow
  (cd "$repo" && exec "$bench" ab HEAD "$work/b/bench" "${selection[@]}" --out "$work/build") >"$work/out" 2>"$work/err" &
  ab=$!
  if wait_for test -e "$work/build-started"; then
    ok "the build step is running: $(ours | grep -c .) process(es) of it"
    kill -TERM "$ab"
    wait "$ab"
    rc=$?
    [[ $rc -eq 143 ]] && grep -q "interrupted by signal 15" "$work/err" && ok "SIGTERM during a build: exit 143, said" ||
      { fail "SIGTERM during a build: exit $rc"; cat "$work/err"; }
    commit=$(git -C "$repo" rev-parse HEAD)
    [[ ! -e $work/state/ab-builds/${commit:0:12} ]] && ok "the partial build is removed" || fail "partial build left"
  else
    fail "the build did not start"; cat "$work/err"; kill "$ab"; wait "$ab"
  fi
  nothing_left "SIGTERM during a build"
else
  echo "SKIP: the build case needs git, cmake and tar"
fi

if [[ $failures -gt 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all ab side-server checks passed"
