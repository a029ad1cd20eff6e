#!/bin/bash
# Load: N container launches and M guest boots in a row through `bench`, with the leak
# audit that ends every run (exit 1 on any leak) and bench's own peak RSS, which must stay
# flat (compared with a run one tenth as long).
#   load.sh BENCH CONTAINER_LAUNCHES VM_BOOTS
# ctest runs it bounded (100 and 3); the full load is `load.sh build/bin/bench 1000 50`.
set -euo pipefail
bench=$1 launches=$2 boots=$3
out=$(mktemp -d "/tmp/isobench-loadtest-$$-XXXXXX")
trap 'rm -rf "$out"' EXIT

run() {  # label, bench args...
  local label=$1; shift
  local rc=0 pid hwm
  "$bench" "$@" --out "$out/$label" >/dev/null 2>"$out/err" &
  pid=$!
  # bench's own peak RSS (VmHWM), sampled until it exits. Not /usr/bin/time: its figure is
  # the largest of bench and every descendant it reaped, and bench reaps the embedded
  # libvirt driver's QEMU processes (a subreaper), so it would report QEMU's RSS.
  # Samples count only once the pid runs bench (before its exec it is this shell), and
  # come often: how long a run lasts depends on the machine (4x apart), so a run that
  # ends between two slow samples must not leave a figure from before its exec.
  rss=0
  local bench_exe
  bench_exe=$(readlink -f "$bench")
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$bench_exe" ]; then
      hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
      if [ -n "$hwm" ]; then rss=$hwm; fi
    fi
    sleep 0.02
  done
  wait "$pid" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "load: $label: bench exited $rc"; tail -5 "$out/err"; exit 1
  fi
  if grep -q 'bench: leak:' "$out/err"; then echo "load: $label leaked:"; grep 'bench: leak:' "$out/err"; exit 1; fi
  if [ "$rss" -eq 0 ]; then echo "load: $label: bench ended before its memory could be read once"; exit 1; fi
  echo "load: $label: ok, no leak, bench peak RSS $rss KiB"
}

# bench's own memory stays flat: the peak RSS of a run with N instances may exceed that
# of a run with N/10 by the results it keeps (about 1 KiB a row), not by a leak per
# instance. 16 MiB of slack covers allocator noise.
flat() {  # label, small-run RSS KiB, full-run RSS KiB
  local growth=$(( $3 - $2 ))
  echo "load: $1: bench peak RSS grew by $growth KiB from a run one tenth as long"
  if [ "$growth" -gt 16384 ]; then echo "load: $1: bench's memory is not flat"; exit 1; fi
}

if [ "$(id -u)" -ne 0 ]; then echo "load: skipped: needs root"; exit 0; fi
few=$(( launches / 10 > 0 ? launches / 10 : 1 ))
run container-$few --backend container --suite startup --filter 'startup/container/noop$' --repetitions "$few"
small=$rss
run container-$launches --backend container --suite startup --filter 'startup/container/noop$' --repetitions "$launches"
flat container "$small" "$rss"
if [ "$boots" -gt 0 ] && [ -e /var/lib/isobench/guest-kernel/vmlinuz ]; then
  few=$(( boots / 10 > 0 ? boots / 10 : 1 ))
  run vm-$few --backend vm --suite startup --filter 'startup/vm/noop$' --repetitions "$few"
  small=$rss
  run vm-$boots --backend vm --suite startup --filter 'startup/vm/noop$' --repetitions "$boots"
  flat vm "$small" "$rss"
fi
left=$(find /sys/fs/cgroup -name "*isobench*" 2>/dev/null | wc -l)
echo "load: isobench cgroups on the host after the runs: $left (other engineers' live runs count too)"
