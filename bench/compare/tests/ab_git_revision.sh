#!/usr/bin/env bash
# `bench ab REV1 REV2`: git revisions resolved, archived, configured and built with cmake
# into the state dir's cache, then run. The repository is a throwaway one made here whose
# CMake project (no compiler: LANGUAGES NONE) "builds" its bench target by copying a
# wrapper that execs the real bench, so the test exercises git, tar, cmake and the cache
# in seconds instead of building isobench twice. It runs with a PATH that holds only the
# tools' own directories, the way a CI job's environment differs from a shell's.
# Usage: ab_git_revision.sh BENCH
set -uo pipefail
bench=$(realpath "$1")
work=$(mktemp -d /tmp/isobench-ab-git.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

for tool in git tar cmake; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 0; }
done
# The tools' directories only (not the caller's PATH, which may hold a build dir).
tools_path=$(for t in git tar cmake sh; do dirname "$(command -v "$t")"; done | sort -u | paste -sd:)

repo=$work/repo
mkdir -p "$repo"
git_() { git -C "$repo" -c user.name=isobench-test -c user.email=test@isobench.invalid "$@" >/dev/null; }
git_ init -q
cat >"$repo/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(isobench_ab_fixture LANGUAGES NONE)
add_custom_target(bench ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/bin
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/bench.sh ${CMAKE_BINARY_DIR}/bin/bench)
CMAKE
printf '#!/bin/sh\n# revision one\nexec "%s" "$@"\n' "$bench" >"$repo/bench.sh"
chmod +x "$repo/bench.sh"
git_ add -A && git_ commit -q -m one
printf '#!/bin/sh\n# revision two\nexec "%s" "$@"\n' "$bench" >"$repo/bench.sh"
git_ commit -q -a -m two
first=$(git -C "$repo" rev-parse HEAD~1) second=$(git -C "$repo" rev-parse HEAD)

state=$work/state
selection=(--backend bare --suite startup --filter 'startup/bare/noop$' --repetitions 4 --blocks 2)
run_ab() {  # run_ab OUT BASE NEW: in the repository, with the tools' PATH and a private state dir
  local out=$1
  shift
  (cd "$repo" && env PATH="$tools_path" ISOBENCH_STATE_DIR="$state" "$bench" ab "$@" "${selection[@]}" --out "$out") \
    >"$work/out" 2>"$work/err"
}

run_ab "$work/ab1" HEAD~1 HEAD
rc=$?
if [[ $rc -eq 0 ]]; then ok "two revisions compared (exit 0)"; else fail "exit $rc"; cat "$work/out" "$work/err"; fi
for commit in "$first" "$second"; do
  dir=$state/ab-builds/${commit:0:12}
  if [[ -f $dir/complete && -x $dir/build/bin/bench ]]; then ok "built ${commit:0:12} into the cache"; else fail "no complete build in $dir"; ls -R "$state" 2>&1 | head -20; fi
done
grep -q "# revision one" "$state/ab-builds/${first:0:12}/build/bin/bench" && ok "BASE is revision one's tree" || fail "BASE is not revision one's tree"
grep -q "# revision two" "$state/ab-builds/${second:0:12}/build/bin/bench" && ok "NEW is revision two's tree" || fail "NEW is not revision two's tree"
grep -qF "\"revision\": \"$first\"" "$work/ab1/base/results.json" && ok "BASE's results name its commit" || fail "BASE's results do not name $first"
grep -qF "HEAD (${second:0:12})" "$work/ab1/summary.md" && ok "the summary names NEW's revision" || { fail "summary does not name HEAD (${second:0:12})"; cat "$work/ab1/summary.md"; }
[[ $(grep -c 'bench: ab: building' "$work/err") -eq 2 ]] && ok "each revision built once" || { fail "expected two builds"; cat "$work/err"; }

# The cache: a second run builds nothing.
run_ab "$work/ab2" "$first" HEAD
rc=$?
[[ $rc -eq 0 ]] && ok "second run (exit 0)" || { fail "second run: exit $rc"; cat "$work/err"; }
grep -q 'bench: ab: building' "$work/err" && { fail "second run rebuilt"; cat "$work/err"; } || ok "second run took both builds from the cache"

# Bad input: one line on stderr, exit 2.
one_line_exit2() {  # one_line_exit2 DESCRIPTION WANTED_TEXT
  if [[ $rc -eq 2 && $(wc -l <"$work/err") -eq 1 ]] && grep -qF -- "$2" "$work/err"; then ok "$1"
  else fail "$1: exit $rc, stderr:"; cat "$work/err"; fi
}
run_ab "$work/bad1" no-such-revision HEAD
rc=$?
one_line_exit2 "an unknown revision" 'no-such-revision`: neither a bench binary nor a git revision'
(cd "$repo" && env PATH=/nonexistent ISOBENCH_STATE_DIR="$state" "$bench" ab HEAD~1 HEAD "${selection[@]}" --out "$work/bad2") \
  >"$work/out" 2>"$work/err"
rc=$?
one_line_exit2 "no git on PATH" "git is not on PATH"
# A revision whose build fails: the error names the build log.
printf 'this is not cmake(\n' >"$repo/CMakeLists.txt"
git_ commit -q -a -m broken
run_ab "$work/bad3" HEAD~1 HEAD
rc=$?
if [[ $rc -eq 2 ]] && grep -q 'cmake configure failed; see .*/build.log' "$work/err"; then ok "a revision that does not build names its log"
else fail "broken revision: exit $rc"; cat "$work/err"; fi

if [[ $failures -gt 0 ]]; then echo "$failures check(s) failed"; exit 1; fi
echo "all ab git-revision checks passed"
