#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (or a checkout that is already set up: each step
# is skipped when done): Debian packages, npm packages, the TypeScript build.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v qemu-system-x86_64 >/dev/null || need_apt+=(qemu-system-x86)
command -v qemu-img >/dev/null || need_apt+=(qemu-utils)
# QEMU module packages: qemu-block-extra holds the network disk backends (block-curl, -iscsi,
# -nfs, -rbd, -ssh, -gluster .so). qemu-system-gui (GTK/SDL windows, the GL virtio-gpu devices,
# PulseAudio/JACK/SDL audio) is left out: virtkit runs guests headless, and it pulls in GTK and
# SDL. tests/fixtures/qemu-caps/README.md says what that leaves out of the probed capabilities.
installed() { [ "$(dpkg-query -W -f '${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }
installed qemu-block-extra || need_apt+=(qemu-block-extra)
# ceph 16.2 (monitor, OSD, the ceph/rbd/rados tools): the RBD disk test runs a one-node cluster
# on loopback (tests/helpers/ceph-cluster.ts, docs/testing.md). About 50 MB to download and 200 MB
# installed (ceph-osd pulls in lvm2, parted, xfsprogs... for ceph-volume), ~25 s; no service starts.
for p in ceph-mon ceph-osd ceph-common; do installed "$p" || need_apt+=("$p"); done
# The NFS network disk test (tests/integration/network-disk-nfs.test.ts) serves its export with
# nfs-ganesha (userspace, VFS backend) and rpcbind, both run by the test itself on 127.0.0.1.
new_ganesha=no
installed nfs-ganesha-vfs || { need_apt+=(nfs-ganesha nfs-ganesha-vfs); new_ganesha=yes; }
installed rpcbind || need_apt+=(rpcbind)
# dnsmasq serves a virtual network's DHCP and DNS (issue 8); tests/integration/dnsmasq-conf.test.ts
# checks every configuration virtkit writes with `dnsmasq --test`; the network tests start it on their
# bridges (tests/helpers/net-lab.ts). dnsmasq-base has no service.
installed dnsmasq-base || need_apt+=(dnsmasq-base)
# Network firewalls (docs/firewall.md): nft applies each network's rules; iptables (iptables-nft) is
# what Docker uses, and the firewall coexistence test installs Docker's rules with it.
command -v nft >/dev/null || need_apt+=(nftables)
command -v iptables >/dev/null || need_apt+=(iptables)
# Open vSwitch (docs/networking.md): ovs-vsctl, ovsdb-server, ovs-vswitchd. The OVS tests run their own
# ovsdb-server and ovs-vswitchd (userspace datapath; tests/helpers/ovs.ts), not the package's service.
installed openvswitch-switch || need_apt+=(openvswitch-switch)
# DPDK's testpmd is the real vhost-user backend of tests/integration/net/vhostuser.test.ts (dpdk-dev has
# dpdk-testpmd; the vhost PMD and ring mempool are Recommends, so named).
for p in dpdk-dev librte-net-vhost23 librte-mempool-ring23; do installed "$p" || need_apt+=("$p"); done
# libosinfo's OS database (XML data only, no library): `virtkit install --osinfo` reads it (docs/install.md).
installed osinfo-db || need_apt+=(osinfo-db)
# xorriso (its xorrisofs) writes the NoCloud seed ISO of `virtkit install --cloud-init`, as virt-install
# does (docs/install.md); the tests read ISOs back with it.
command -v xorrisofs >/dev/null || need_apt+=(xorriso)
# The tiny bootable disk image (scripts/build-tiny-image.sh, docs/test-guest.md): extlinux is its boot loader.
for p in extlinux syslinux-common; do installed "$p" || need_apt+=("$p"); done
# qemu-ga and its shared libraries go into the test guest's initramfs (scripts/build-test-guest.sh, docs/guest-agent.md).
installed qemu-guest-agent || need_apt+=(qemu-guest-agent)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null
fi
# On a host booted with systemd the package starts a system-wide ganesha (port 2049, registered
# with rpcbind) that would hold the NFS program the test registers: virtkit installed it only for
# its test, so the service is stopped and left disabled. A ganesha the host had before is left alone.
if [ "$new_ganesha" = yes ] && [ -d /run/systemd/system ]; then
  systemctl disable --now nfs-ganesha.service >/dev/null 2>&1 || true
fi

stamp=node_modules/.virtkit-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

echo "setup: building"
npx tsc -p tsconfig.json
node scripts/build-cli-bundle.mjs
