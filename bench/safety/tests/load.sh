#!/bin/bash
# Load: N container launches and M guest boots in a row through `bench`, with the leak
# audit that ends every run (exit 1 on any leak) and bench's own peak RSS.
#   load.sh BENCH CONTAINER_LAUNCHES VM_BOOTS
# ctest runs it bounded (100 and 3); the full load is `load.sh build/bin/bench 1000 50`.
set -euo pipefail
bench=$1 launches=$2 boots=$3
out=$(mktemp -d "/tmp/isobench-loadtest-$$-XXXXXX")
trap 'rm -rf "$out"' EXIT

run() {  # label, bench args...
  local label=$1; shift
  local rc=0
  /usr/bin/time -f '%M' -o "$out/rss" "$bench" "$@" --out "$out/$label" >/dev/null 2>"$out/err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "load: $label: bench exited $rc"; tail -5 "$out/err"; exit 1
  fi
  if grep -q 'bench: leak:' "$out/err"; then echo "load: $label leaked:"; grep 'bench: leak:' "$out/err"; exit 1; fi
  echo "load: $label: ok, no leak, bench peak RSS $(cat "$out/rss") KiB"
}

if [ "$(id -u)" -ne 0 ]; then echo "load: skipped: needs root"; exit 0; fi
run container-$launches --backend container --suite startup --filter 'startup/container/noop$' --repetitions "$launches"
if [ "$boots" -gt 0 ] && [ -e /var/lib/isobench/guest-kernel/vmlinuz ]; then
  run vm-$boots --backend vm --suite startup --filter 'startup/vm/noop$' --repetitions "$boots"
fi
left=$(find /sys/fs/cgroup -name "*isobench*" 2>/dev/null | wc -l)
echo "load: isobench cgroups on the host after the runs: $left (other engineers' live runs count too)"
