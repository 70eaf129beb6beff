#!/usr/bin/env bash
# The main job, end to end on a fresh Debian machine, with `virtkit install`: set up, start a
# virtkit instance (its daemon starts on first use), build or reuse the tiny disk image and put it
# into the `default` pool, start the `default` NAT network, install a VM from the image as a linked
# clone on that network, wait for it to boot and get a DHCP lease, then show `virtkit list`, its
# address (`domifaddr`) and its console's lease line. It ends with the VM running (exit 0).
#   bash scripts/demo.sh          run it (a VM left by an earlier run is replaced)
#   bash scripts/demo.sh --clean  remove what it made: the VM, its disk, the network, the daemon
# VIRTKIT_ROOT picks the instance directory (default: .cache/demo in the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
export VIRTKIT_ROOT=${VIRTKIT_ROOT:-$PWD/.cache/demo}
vk() { echo "+ virtkit $*" >&2; ./bin/virtkit "$@"; }
quiet() { ./bin/virtkit "$@" >/dev/null 2>&1 || true; }

# The demo's VM, its disk and (with --clean) the network and the daemon.
remove_demo() {
  quiet destroy demo
  quiet undefine demo
  quiet vol-delete demo.qcow2 --pool default
}
stop_all() {
  remove_demo
  quiet net-destroy default
  if [ -f "$VIRTKIT_ROOT/run/virtkitd.pid" ]; then kill "$(cat "$VIRTKIT_ROOT/run/virtkitd.pid")" 2>/dev/null || true; fi
}
if [ "${1:-}" = --clean ]; then
  [ -x dist/src/cli/main.js ] || [ -f dist/cli-bundle/bundle.js ] || { echo "demo: nothing built, nothing to clean"; exit 0; }
  stop_all
  echo "demo: removed the VM 'demo', its disk, the default network and stopped the daemon of $VIRTKIT_ROOT"
  exit 0
fi

bash scripts/setup.sh
console_log=$(mktemp)
install_pid=
on_exit() {
  status=$?
  [ -z "$install_pid" ] || kill "$install_pid" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "demo: failed; the console said:" >&2
    tail -n 20 "$console_log" >&2 || true
    stop_all
  fi
  rm -f "$console_log"
}
trap on_exit EXIT

echo "demo: virtkit instance in $VIRTKIT_ROOT (the daemon starts on first use)"
vk version
remove_demo
vk image build
if [ "$(./bin/virtkit net-info default | awk '$1 == "Active:" { print $2 }')" != yes ]; then vk net-start default; fi
# The install attaches to the VM's serial console (as virt-install does without --noautoconsole): its output
# goes to a file, and the install command is stopped once the VM has its address (the VM keeps running).
cmd=(install --name demo --memory 256 --vcpus 1 --osinfo linux2022 --import
  --disk vol=default/tiny.qcow2,linked=on --network network=default --graphics none)
echo "+ virtkit ${cmd[*]} &   (its console to a file)" >&2
start=$(date +%s%N)
./bin/virtkit "${cmd[@]}" </dev/null >"$console_log" 2>&1 &
install_pid=$!
addr=
for _ in $(seq 600); do
  addr=$(./bin/virtkit domifaddr demo 2>/dev/null | awk '$3 == "ipv4" { print $4; exit }' || true)
  [ -n "$addr" ] && break
  kill -0 "$install_pid" 2>/dev/null || { wait "$install_pid" || true; echo "demo: virtkit install exited early" >&2; exit 1; }
  sleep 0.2
done
[ -n "$addr" ] || { echo "demo: the VM got no address within 120 s" >&2; exit 1; }
echo "demo: the VM booted and got $addr $(( ($(date +%s%N) - start) / 1000000 )) ms after 'virtkit install' started"
# The lease line reaches the console a moment after dnsmasq records the lease.
for _ in $(seq 50); do grep -q "got $addr" "$console_log" && break; sleep 0.1; done
kill "$install_pid" 2>/dev/null || true
wait "$install_pid" 2>/dev/null || true
install_pid=
vk list
vk domifaddr demo
echo "demo: from its console:"
grep -m1 "got $addr" "$console_log" | tr -d '\r'
echo "demo: done; the VM 'demo' is running (virtkit console demo; ^] leaves). Remove it all with: bash scripts/demo.sh --clean"
