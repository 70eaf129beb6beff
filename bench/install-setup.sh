#!/usr/bin/env bash
# The install bench's own setup (not scripts/setup.sh: the project itself needs none of this): Debian's
# virt-install and libvirt 9.0 daemons, so that bench/install.ts can run libvirt beside virtkit.
# --no-install-recommends keeps it to the daemons, the QEMU and network drivers, virsh and virt-install
# (python3-libvirt, libosinfo). Packages stay installed; the bench starts its own libvirtd by hand with
# its own configuration, in its own mount and network namespaces, and never the host's services.
set -euo pipefail
if command -v virt-install >/dev/null && [ -x /usr/sbin/libvirtd ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so ]; then
  echo "install-setup: libvirt and virt-install are installed"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-setup: run as root (apt-get install)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# The packages' scripts would start libvirtd (and with it the packaged `default` network on virbr0,
# 192.168.122.0/24) on a host with systemd or init scripts; a policy-rc.d that exits 101 stops that.
# One already there is left as it is (this container's exits 101); else ours, for the install only.
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\n# bench/install-setup.sh: no service starts during its apt-get install\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y --no-install-recommends libvirt-daemon-system virtinst
