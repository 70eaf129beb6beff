#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine: set up, build the small test
# guest, then let virtkit define and boot it through its daemon, show the serial
# console marker, list it, shut it down over ACPI, and clean up.
# VIRTKIT_ROOT picks the instance directory (default: .cache/demo in the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mapfile -t guest < <(bash scripts/build-test-guest.sh | tail -n 2)
kernel=${guest[0]}
initrd=${guest[1]}

export VIRTKIT_ROOT=${VIRTKIT_ROOT:-$PWD/.cache/demo}
vk() { echo "+ virtkit $*" >&2; ./bin/virtkit "$@"; }
cleanup() {
  ./bin/virtkit destroy demo >/dev/null 2>&1 || true
  ./bin/virtkit undefine demo >/dev/null 2>&1 || true
  if [ -f "$VIRTKIT_ROOT/run/virtkitd.pid" ]; then kill "$(cat "$VIRTKIT_ROOT/run/virtkitd.pid")" 2>/dev/null || true; fi
}
trap cleanup EXIT

xml=$(mktemp --suffix=.xml)
cat >"$xml" <<XML
<domain type='qemu'>
  <name>demo</name>
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$kernel</kernel>
    <initrd>$initrd</initrd>
    <cmdline>console=ttyS0 quiet</cmdline>
  </os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'/>
    <console type='pty'/>
  </devices>
</domain>
XML

echo "demo: virtkit instance in $VIRTKIT_ROOT (the daemon starts on first use)"
vk version
vk define "$xml"
rm -f "$xml"
# Like virsh's, the console shows what the guest prints while it is attached: start the
# guest paused, attach, then let it run.
vk start --paused demo
echo "+ virtkit console demo &   (watching for the guest's marker)" >&2
console_out=$(mktemp)
./bin/virtkit console demo </dev/null >"$console_out" 2>&1 &
console_pid=$!
until grep -q "Connected to domain" "$console_out"; do sleep 0.05; done
start=$(date +%s%N)
vk resume demo
for _ in $(seq 300); do
  grep -q VIRTKIT-GUEST-READY "$console_out" && break
  sleep 0.2
done
kill "$console_pid" 2>/dev/null || true
wait "$console_pid" 2>/dev/null || true
if grep VIRTKIT-GUEST-READY "$console_out"; then
  echo "demo: guest booted; marker seen $(( ($(date +%s%N) - start) / 1000000 )) ms after 'resume'"
  rm -f "$console_out"
else
  echo "demo: the guest did not print its marker within 60 s; console output:" >&2
  cat "$console_out" >&2
  exit 1
fi
vk list --all
vk dominfo demo
vk shutdown demo
for _ in $(seq 50); do
  state=$(./bin/virtkit domstate demo)
  [ "$state" = "shut off" ] && break
  sleep 0.2
done
vk domstate --reason demo
[ "$state" = "shut off" ] || { echo "demo: the guest did not power off" >&2; exit 1; }
vk undefine demo
echo "demo: done"
