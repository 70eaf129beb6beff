#!/usr/bin/env bash
# Builds the small bootable test guest that the integration tests boot under
# QEMU: Debian's cloud kernel plus a busybox initramfs whose /init prints
# VIRTKIT-GUEST-READY on the serial console and powers off on the ACPI power
# button; on kernel command line switches it also mounts an ext4 root disk and
# starts a shell on ttyS0. /init and the power-button action are the files in
# scripts/test-guest/. See docs/test-guest.md.
#
# Output (cached; rebuilt only when the kernel package version, the busybox
# version or this script changes):
#   $VIRTKIT_GUEST_DIR (default: <repo>/.cache/test-guest)/vmlinuz
#   $VIRTKIT_GUEST_DIR/initramfs.cpio.gz
#   $VIRTKIT_GUEST_DIR/stamp
# The last two lines of stdout are the kernel and initramfs paths.
#
# Nothing is installed system-wide except small host tools that are missing
# (cpio, kmod, xz-utils/zstd): the kernel and busybox packages are downloaded
# with `apt-get download` and unpacked with `dpkg-deb -x` into a temp dir.
set -euo pipefail

KERNEL_META=linux-image-cloud-amd64
BUSYBOX_PKG=busybox-static
# The DHCPv6 client for virtkit.net6=dhcp: Debian's busybox (static or not) is built without
# udhcpc6, so dhcpcd (dhcpcd-base: one binary that needs only libc) asks for the lease.
DHCP6_PKG=dhcpcd-base
# Modules the guest loads; their dependencies come from modules.dep.
#  - button: turns the ACPI power-button event into a KEY_POWER input event;
#  - evdev: exposes that as /dev/input/eventN, which busybox acpid reads;
#  - pvpanic-mmio, pvpanic-pci: report a guest panic to QEMU (-device pvpanic,
#    -device pvpanic-pci), for on_crash tests (virtkit.panic=1);
#  - virtio_pci, virtio_blk: virtio disks (virtkit.root=/dev/vda, hotplugged
#    disks). ext4 (with jbd2, mbcache, crc16, crc32c), PCI hotplug (acpiphp) and
#    devtmpfs are built into the cloud kernel (CONFIG_EXT4_FS=y,
#    CONFIG_HOTPLUG_PCI_ACPI=y); virtio_blk notices a capacity change by itself.
#  - virtio_balloon: the memory balloon, for setmem --live.
WANTED_MODULES=(button evdev pvpanic-mmio pvpanic-pci virtio_pci virtio_blk virtio_balloon)
# Loaded only with virtkit.net=... (/etc/modules.net), so that a guest without the switch
# boots exactly as before and its virtio NICs stay driverless (a test reads their link state
# through the device's legacy config space, which a driver would move):
#  - virtio_net (with net_failover, failover): virtio NICs;
#    packet sockets, which udhcpc needs, are built in (CONFIG_PACKET=y).
NET_MODULES=(virtio_net)
# Loaded only for a guest with a virtio-serial controller or virtkit.agent=1 (/etc/modules.agent):
#  - virtio_console: virtio-serial ports (/dev/vportNpM), for the guest agent (qemu-ga, from the
#    host's qemu-guest-agent package with the shared libraries ldd names; docs/guest-agent.md).
AGENT_MODULES=(virtio_console)
QGA_BIN=/usr/sbin/qemu-ga

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
out_dir=${VIRTKIT_GUEST_DIR:-$repo_root/.cache/test-guest}
# The guest's /init and the ACPI power-button action.
guest_src=$repo_root/scripts/test-guest

log() { printf 'build-test-guest: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

apt_updated=0
apt_update_once() {
  if [[ $apt_updated -eq 0 ]]; then
    log "apt-get update"
    as_root apt-get update -qq >&2
    apt_updated=1
  fi
}

# Installs the packages that provide missing host tools. Takes pairs
# "tool:package"; the tool is looked up in PATH and in the sbin directories
# (depmod lives in /usr/sbin, which a normal user's PATH may lack).
ensure_tools() {
  local missing=() pair tool pkg
  for pair in "$@"; do
    tool=${pair%%:*} pkg=${pair#*:}
    if ! PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null; then
      missing+=("$pkg")
    fi
  done
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt_update_once
    log "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
  fi
}

# One hash over this script and the files it puts into the initramfs.
script_hash=$(cat "$script_path" "$guest_src/init" "$guest_src/power-button" "$guest_src/net" "$guest_src/udhcpc" \
  "$guest_src/dhcpcd6" "$guest_src/dhcpcd6.conf" "$guest_src/shutdown" | sha256sum | cut -d' ' -f1)
kernel_out=$out_dir/vmlinuz
initrd_out=$out_dir/initramfs.cpio.gz
stamp_out=$out_dir/stamp

finish() {
  printf '%s\n%s\n' "$kernel_out" "$initrd_out"
  exit 0
}

# Fast path (asking apt costs most of a second): candidate versions only change
# when apt's lists do, so a stamp from this script that is newer than every
# list file is still fresh.
if [[ -f $kernel_out && -f $initrd_out && -f $stamp_out ]] \
  && grep -qx "script-sha256=$script_hash" "$stamp_out" \
  && [[ -z $(find /var/lib/apt/lists -maxdepth 1 -type f -newer "$stamp_out" -print -quit 2>/dev/null) ]]; then
  finish
fi

# One apt-cache call for both packages. The kernel meta package depends on
# exactly one concrete image package, e.g.
# "Depends: linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)".
query_apt() {
  apt-cache show --no-all-versions "$KERNEL_META" "$BUSYBOX_PKG" "$DHCP6_PKG" 2>/dev/null || true
}
info=$(query_apt)
if [[ -z $info ]]; then
  apt_update_once
  info=$(query_apt)
fi
read -r kernel_pkg kernel_ver < <(
  awk -v meta="$KERNEL_META" '
    /^Package: / { pkg = $2 }
    pkg == meta && /^Depends: / {
      n = split(substr($0, 10), deps, ",")
      for (i = 1; i <= n; i++)
        if (match(deps[i], /linux-image-[^ ]+ \(= [^)]+\)/)) {
          split(substr(deps[i], RSTART, RLENGTH), f, /[ ()=]+/)
          print f[1], f[2]; exit
        }
    }' <<<"$info") || true
busybox_ver=$(awk -v p="$BUSYBOX_PKG" '/^Package: / { pkg = $2 } pkg == p && /^Version: / { print $2; exit }' <<<"$info")
[[ -n ${kernel_pkg:-} && -n ${kernel_ver:-} ]] \
  || die "cannot resolve the kernel package behind $KERNEL_META (is this Debian 12 amd64?)"
dhcp6_ver=$(awk -v p="$DHCP6_PKG" '/^Package: / { pkg = $2 } pkg == p && /^Version: / { print $2; exit }' <<<"$info")
[[ -n $busybox_ver ]] || die "apt knows no version of $BUSYBOX_PKG"
[[ -n $dhcp6_ver ]] || die "apt knows no version of $DHCP6_PKG"
stamp="kernel=$kernel_pkg $kernel_ver
busybox=$BUSYBOX_PKG $busybox_ver
dhcp6=$DHCP6_PKG $dhcp6_ver
qemu-ga=$(dpkg-query -W -f '${Version}' qemu-guest-agent 2>/dev/null || echo none)
script-sha256=$script_hash"

is_fresh() {
  [[ -f $kernel_out && -f $initrd_out && -f $stamp_out && $(cat "$stamp_out") == "$stamp" ]]
}

# Still fresh: touch the stamp so the fast path takes it next time.
if is_fresh; then touch "$stamp_out" 2>/dev/null || true; finish; fi

mkdir -p "$out_dir"
# Test files run in parallel processes and may all ask for the guest at once:
# one builds, the others wait for it and then find the cache fresh.
exec {lock_fd}>"$out_dir/.lock"
flock "$lock_fd"
is_fresh && finish

log "building $kernel_pkg $kernel_ver + $BUSYBOX_PKG $busybox_ver into $out_dir"
ensure_tools cpio:cpio depmod:kmod gzip:gzip

work=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-guest.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs"
# apt drops privileges to _apt for downloads; let it write there.
if [[ $(id -u) -eq 0 ]] && id _apt >/dev/null 2>&1; then
  chmod 0755 "$work"
  chown _apt "$work/debs"
fi
(cd "$work/debs" && apt-get download -qq "$kernel_pkg=$kernel_ver" "$BUSYBOX_PKG=$busybox_ver" "$DHCP6_PKG=$dhcp6_ver" >&2) \
  || { apt_update_once; (cd "$work/debs" && apt-get download -qq "$kernel_pkg=$kernel_ver" "$BUSYBOX_PKG=$busybox_ver" "$DHCP6_PKG=$dhcp6_ver" >&2); }

dpkg-deb -x "$work/debs/${kernel_pkg}_"*.deb "$work/kernel"
dpkg-deb -x "$work/debs/${BUSYBOX_PKG}_"*.deb "$work/busybox"
dpkg-deb -x "$work/debs/${DHCP6_PKG}_"*.deb "$work/dhcp6"

kver=${kernel_pkg#linux-image-}
kroot=$work/kernel
kmods=$kroot/lib/modules/$kver
[[ -d $kmods ]] || die "no lib/modules/$kver in $kernel_pkg"
vmlinuz=$(find "$kroot/boot" -maxdepth 1 -name "vmlinuz-$kver" -print -quit)
[[ -n $vmlinuz ]] || die "no boot/vmlinuz-$kver in $kernel_pkg"

# The .deb ships no modules.dep (postinst runs depmod); generate it in the
# unpacked tree.
PATH=$PATH:/usr/sbin:/sbin depmod -b "$kroot" "$kver"

# modules.dep lines look like "kernel/a.ko.xz: kernel/b.ko.xz kernel/c.ko.xz":
# the list after the colon is the full dependency closure, loadable from last
# to first (that is the order modprobe uses).
load_order=()
add_module() {
  local name=$1 line mod deps i seen
  line=$(grep -E "/${name//-/[-_]}\.ko(\.[a-z]+)?:" "$kmods/modules.dep" | head -n1 || true)
  [[ -n $line ]] || die "module $name not found in modules.dep of $kernel_pkg (built in? check boot/config-$kver)"
  mod=${line%%:*}
  read -r -a deps <<<"${line#*:}"
  for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
    for seen in "${load_order[@]}"; do [[ $seen == "${deps[i]}" ]] && continue 2; done
    load_order+=("${deps[i]}")
  done
  for seen in "${load_order[@]}"; do [[ $seen == "$mod" ]] && return; done
  load_order+=("$mod")
}
# udhcpc needs packet sockets: load af_packet when this kernel builds it as a module.
case $(grep -E '^CONFIG_PACKET=' "$kroot/boot/config-$kver" || true) in
  CONFIG_PACKET=y) ;;
  CONFIG_PACKET=m) NET_MODULES+=(af_packet) ;;
  *) die "$kernel_pkg has no packet sockets (CONFIG_PACKET); udhcpc needs them" ;;
esac
for m in "${WANTED_MODULES[@]}"; do add_module "$m"; done
base_count=${#load_order[@]}
for m in "${NET_MODULES[@]}"; do add_module "$m"; done
net_count=${#load_order[@]}
for m in "${AGENT_MODULES[@]}"; do add_module "$m"; done

case " ${load_order[*]}" in *.ko.xz*) ensure_tools xz:xz-utils ;; esac
case " ${load_order[*]}" in *.ko.zst*) ensure_tools zstd:zstd ;; esac

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,run,newroot,etc/acpi/PWRF,lib/modules/"$kver"}
install -m 0755 "$work/busybox/bin/busybox" "$root/bin/busybox"
# Relative links: `busybox --install -s` would point them at this temp dir.
for applet in $("$root/bin/busybox" --list); do
  [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
done

# busybox insmod cannot read compressed modules: store them decompressed.
: >"$root/etc/modules.load"
: >"$root/etc/modules.net"
: >"$root/etc/modules.agent"
list=$root/etc/modules.load
for i in "${!load_order[@]}"; do
  mod=${load_order[i]}
  [[ $i -lt $base_count ]] || list=$root/etc/modules.net
  [[ $i -lt $net_count ]] || list=$root/etc/modules.agent
  rel=${mod%.ko*}.ko
  dst=$root/lib/modules/$kver/$rel
  mkdir -p "$(dirname "$dst")"
  case $mod in
    *.ko) cp "$kmods/$mod" "$dst" ;;
    *.ko.xz) xz -dc "$kmods/$mod" >"$dst" ;;
    *.ko.zst) zstd -qdc "$kmods/$mod" >"$dst" ;;
    *.ko.gz) gzip -dc "$kmods/$mod" >"$dst" ;;
    *) die "unknown module compression: $mod" ;;
  esac
  echo "/lib/modules/$kver/$rel" >>"$list"
done
log "modules: $(tr '\n' ' ' <"$root/etc/modules.load"); with virtkit.net: $(tr '\n' ' ' <"$root/etc/modules.net")"

# Installs every shared library the binary $1 loads (as ldd names them) at the same path in the
# initramfs, the file itself where the path is a link.
install_libs() {
  local lib
  for lib in $(ldd "$1" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
}

# busybox acpid turns KEY_POWER into the event "PWRF 00000080" and, with its
# built-in action table, runs /etc/acpi/PWRF/00000080 (run-parts on a dir).
install -m 0755 "$guest_src/power-button" "$root/etc/acpi/PWRF/00000080"
install -m 0755 "$guest_src/init" "$root/init"
install -m 0755 "$guest_src/net" "$root/etc/virtkit-net"
install -m 0755 "$guest_src/udhcpc" "$root/etc/udhcpc.script"
# DHCPv6 (virtkit.net6=dhcp): dhcpcd, its configuration and event script, and the shared
# libraries it loads (libc: the same files as qemu-ga's below).
install -D -m 0755 "$work/dhcp6/usr/sbin/dhcpcd" "$root/bin/dhcpcd"
install -m 0644 "$guest_src/dhcpcd6.conf" "$root/etc/dhcpcd6.conf"
install -m 0755 "$guest_src/dhcpcd6" "$root/etc/dhcpcd6.script"
install_libs "$work/dhcp6/usr/sbin/dhcpcd"

# The guest agent: the host's qemu-ga and every shared library it loads, at the same paths.
[[ -x $QGA_BIN ]] || die "$QGA_BIN is missing: install qemu-guest-agent (scripts/setup.sh)"
install -D -m 0755 "$QGA_BIN" "$root/bin/qemu-ga"
install -D -m 0755 "$guest_src/shutdown" "$root/sbin/shutdown"
install_libs "$QGA_BIN"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
  | gzip -9n >"$work/initramfs.cpio.gz"

# Copy next to the targets, then rename (atomic on one filesystem); the stamp
# goes last, so a fresh stamp always means fresh files.
rm -f "$stamp_out"
cp "$vmlinuz" "$out_dir/.vmlinuz.new"
cp "$work/initramfs.cpio.gz" "$out_dir/.initramfs.cpio.gz.new"
printf '%s\n' "$stamp" >"$out_dir/.stamp.new"
mv -f "$out_dir/.vmlinuz.new" "$kernel_out"
mv -f "$out_dir/.initramfs.cpio.gz.new" "$initrd_out"
mv -f "$out_dir/.stamp.new" "$stamp_out"
log "done"
finish
