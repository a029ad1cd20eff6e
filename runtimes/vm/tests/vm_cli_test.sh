#!/bin/sh
# Bad input to the guest backends through the real bench binary: each is refused with
# exit 2 and one line on stderr that names the input, before any guest starts.
#   vm_cli_test.sh BENCH
bench=$1
work=$(mktemp -d "${TMPDIR:-/tmp}/isobench-vm-cli-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
export ISOBENCH_STATE_DIR="$work/state"
failures=0

expect_refusal() {  # NAME NEEDLE ARGS...
  name=$1 needle=$2
  shift 2
  "$bench" "$@" >"$work/out" 2>"$work/err"
  code=$?
  lines=$(wc -l <"$work/err")
  if [ "$code" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q -- "$needle" "$work/err"; then
    echo "FAIL $name: exit $code, $lines stderr line(s), wanted 2, 1, \`$needle\`:"; cat "$work/err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$work/err")"
  fi
}

printf 'not a kernel\n' >"$work/corrupt"
for backend in vm qemu; do
  expect_refusal "$backend missing kernel" "/nonexistent/vmlinuz" run --backend "$backend" --guest-kernel /nonexistent/vmlinuz noop
  expect_refusal "$backend corrupt kernel" "not a Linux bzImage" run --backend "$backend" --guest-kernel "$work/corrupt" noop
  expect_refusal "$backend directory as kernel" "not a regular file" run --backend "$backend" --guest-kernel "$work" noop
done
if [ "$(id -u)" -eq 0 ] && [ -s /var/lib/isobench/guest-kernel/vmlinuz ]; then
  expect_refusal "vm unknown URI" "isobench-nosuchdriver:///x" run --backend vm --guest-kernel /var/lib/isobench/guest-kernel/vmlinuz --libvirt-uri isobench-nosuchdriver:///x noop
  # A daemon that does not answer: refused before any suite runs, not skipped.
  unreachable="qemu+unix:///system?socket=$work/no-daemon-sock"
  expect_refusal "vm unreachable URI (run)" "$unreachable" run --backend vm --guest-kernel /var/lib/isobench/guest-kernel/vmlinuz --libvirt-uri "$unreachable" noop
  expect_refusal "vm unreachable URI (suite)" "$unreachable" --backend vm --suite startup --repetitions 1 --out "$work/results" --guest-kernel /var/lib/isobench/guest-kernel/vmlinuz --libvirt-uri "$unreachable"
  [ ! -e "$work/results" ] || { echo "FAIL vm unreachable URI (suite): a results folder was made"; failures=$((failures + 1)); }
else
  echo "skip vm unknown URI: needs root and a cached guest kernel"
fi
expect_refusal "--vm-accel bogus" "--vm-accel" run --backend vm --vm-accel bogus noop
[ "$failures" -eq 0 ]
