#!/usr/bin/env bash
# The install bench's own setup (not scripts/setup.sh: the project itself needs none of this): Debian's
# virt-install and libvirt 9.0 daemons, so that bench/install.ts can run libvirt beside virtkit.
# --no-install-recommends keeps it to the daemons, the QEMU and network drivers, virsh and virt-install
# (python3-libvirt, libosinfo). Packages stay installed; the bench starts its own libvirtd by hand with
# its own configuration, in its own mount and network namespaces, and never the host's services.
# In a container whose /usr/sbin/policy-rc.d exits 101 (Docker's) the package scripts start no daemon.
set -euo pipefail
if command -v virt-install >/dev/null && [ -x /usr/sbin/libvirtd ] && [ -e /usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_network.so ]; then
  echo "install-setup: libvirt and virt-install are installed"; exit 0
fi
[ "$(id -u)" = 0 ] || { echo "install-setup: run as root (apt-get install)" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends libvirt-daemon-system virtinst
