#!/usr/bin/env bash
# Builds a minimal Debian 12 (bookworm) cloud image for the cloud-init acceptance test
# (scripts/cloud-init-acceptance.sh, docs/testing.md): a qcow2 disk with an MBR, one ext4
# partition and extlinux as the boot loader (SeaBIOS boots it), Debian's cloud kernel and
# initramfs, systemd, cloud-init (NoCloud only), openssh-server, and ifupdown + isc-dhcp-client,
# which cloud-init's "eni" renderer uses to bring the NIC up by DHCP. The console is ttyS0.
# Everything comes from Debian's packages: `debootstrap --variant=minbase`, then apt inside the
# new root with --no-install-recommends.
#
# Output (cached; rebuilt only when this script changes, or with VIRTKIT_DEBIAN_REBUILD=1: a
# build takes minutes, so a new package version on the mirror alone does not start one):
#   $VIRTKIT_DEBIAN_CLOUD_DIR (default: <repo>/.cache/debian-cloud)/debian-12-cloud.qcow2
#   $VIRTKIT_DEBIAN_CLOUD_DIR/stamp   (this script's hash, the kernel and cloud-init versions)
# The last line of stdout is the image's path.
#
# Host packages: the default test command does not need this script, so scripts/setup.sh does not
# install what it needs; this script installs its own (debootstrap, extlinux + syslinux-common,
# parted, e2fsprogs, qemu-utils) with apt-get when they are missing (the "host tools" step below),
# or only that with `--setup`. Needs root (debootstrap, chroot, a loop mount for extlinux).
#
# No device-mapper here (no kpartx): the ext4 file system is made from the finished root tree
# with `mkfs.ext4 -d` in a file of its own, loop-mounted only while extlinux installs its boot
# sector into it, then copied into the disk image behind the MBR at 1 MiB.
set -euo pipefail

SUITE=bookworm
DISK_SIZE_MIB=2048
PART_START_MIB=1
# Installed with apt inside the minbase root (no recommends):
#  - systemd-sysv, udev: init and device nodes; kmod, e2fsprogs: modules and the root's fsck;
#  - linux-image-amd64 (+ initramfs-tools, zstd): Debian's generic kernel, not the smaller cloud
#    kernel (linux-image-cloud-amd64): that one has no AHCI driver (CONFIG_SATA_AHCI is not set),
#    and virt-install (so `virtkit install --cloud-init`) attaches the seed as a SATA cdrom on q35,
#    which the cloud kernel would never see. Drivers a VM has no use for (GPUs, sound, wireless,
#    media, InfiniBand, staging) are left out at unpack (dpkg path-exclude below);
#  - cloud-init (and, of its recommends, sudo for the default user and cloud-guest-utils for growpart);
#  - openssh-server; ifupdown + isc-dhcp-client + iproute2 + netbase: the NIC by DHCP.
#  - dbus: hostnamectl (cloud-init's set_hostname) talks to systemd-hostnamed over it.
# No libpam-systemd (a recommends of systemd): ssh logins do not need logind.
PACKAGES=(systemd-sysv udev kmod e2fsprogs linux-image-amd64 initramfs-tools zstd
  cloud-init sudo cloud-guest-utils openssh-server ifupdown isc-dhcp-client iproute2 netbase dbus)
# Units that only slow a short-lived test guest's boot down.
DISABLE_UNITS=(apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer)

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
out_dir=${VIRTKIT_DEBIAN_CLOUD_DIR:-$repo_root/.cache/debian-cloud}
image_out=$out_dir/debian-12-cloud.qcow2
stamp_out=$out_dir/stamp

log() { printf 'build-debian-cloud-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- host tools: this script's own setup step -------------------------------------------------
apt_updated=0
ensure_host_tools() {
  local missing=() pair tool pkg
  # "tool:package"; the tool is looked up in PATH and the sbin directories.
  for pair in debootstrap:debootstrap extlinux:extlinux /usr/lib/EXTLINUX/mbr.bin:extlinux \
    parted:parted mkfs.ext4:e2fsprogs qemu-img:qemu-utils; do
    tool=${pair%%:*} pkg=${pair#*:}
    if [[ $tool == /* ]]; then [[ -e $tool ]] && continue
    elif PATH=$PATH:/usr/sbin:/sbin command -v "$tool" >/dev/null; then continue
    fi
    [[ " ${missing[*]} " == *" $pkg "* ]] || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return
  [[ $(id -u) -eq 0 ]] || die "need root to install ${missing[*]}"
  if [[ $apt_updated -eq 0 ]]; then apt-get update -qq >&2; apt_updated=1; fi
  log "installing host packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

if [[ ${1:-} == --setup ]]; then ensure_host_tools; exit 0; fi
[[ $# -eq 0 ]] || die "usage: $0 [--setup]"

script_hash=$(sha256sum "$script_path" | cut -d' ' -f1)
is_fresh() {
  [[ ${VIRTKIT_DEBIAN_REBUILD:-0} != 1 && -f $image_out && -f $stamp_out ]] \
    && grep -qx "script-sha256=$script_hash" "$stamp_out"
}
if is_fresh; then echo "$image_out"; exit 0; fi

[[ $(id -u) -eq 0 ]] || die "building the image needs root (debootstrap, chroot, mount)"
mkdir -p "$out_dir"
# One build at a time; a second caller waits and then finds the cache fresh.
exec {lock_fd}>"$out_dir/.lock"
flock "$lock_fd"
if is_fresh; then echo "$image_out"; exit 0; fi
ensure_host_tools
export PATH=$PATH:/usr/sbin:/sbin

# The mirror the host's apt uses (deb822 "URIs:" or one-line "deb URI bookworm").
mirror=${VIRTKIT_DEBIAN_MIRROR:-$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk -v s="$SUITE" '
      /^URIs:/ { uri = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s && uri ~ /debian\/?$/) { print uri; exit } }
      /^deb / { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) break; if ($(i + 1) == s && $i ~ /debian\/?$/) { print $i; exit } }' || true)}
mirror=${mirror:-http://deb.debian.org/debian}
security=${mirror%/debian}/debian-security

# On the same file system as the output, so the final rename is atomic.
work=$(mktemp -d "$out_dir/.build.XXXXXX")
root=$work/root
mnt=$work/mnt
cleanup() {
  local m
  # Whatever is still mounted under the work dir (a failed chroot step, the extlinux mount), deepest first.
  for m in $(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
t0=$SECONDS

log "debootstrap $SUITE (minbase) from $mirror"
debootstrap --variant=minbase --components=main "$SUITE" "$root" "$mirror" >&2

# apt inside the root: the same suites as a Debian cloud image; no daemons started in the chroot.
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror $SUITE main
deb $mirror $SUITE-updates main
deb $security $SUITE-security main
EOF
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# No docs, man pages or locales but C: a smaller image (dpkg's path filters).
cat >"$root/etc/dpkg/dpkg.cfg.d/01-virtkit-small" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
for d in drivers/gpu drivers/media drivers/net/wireless drivers/infiniband drivers/staging drivers/bluetooth \
  drivers/isdn drivers/iio net/bluetooth net/wireless net/mac80211 sound; do
  echo "path-exclude /lib/modules/*/kernel/$d/*"
done >>"$root/etc/dpkg/dpkg.cfg.d/01-virtkit-small"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LC_ALL=C "$@"; }
log "apt-get install ${PACKAGES[*]}"
in_root apt-get update -qq >&2
in_root apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
in_root apt-get clean
kver=$(basename "$(ls -d "$root"/lib/modules/*)")
[[ -f $root/boot/vmlinuz-$kver && -f $root/boot/initrd.img-$kver ]] || die "no kernel or initramfs for $kver in /boot"
versions="kernel=$(in_root dpkg-query -W -f '${Package} ${Version}' "linux-image-$kver")
cloud-init=$(in_root dpkg-query -W -f '${Version}' cloud-init)"
for u in "${DISABLE_UNITS[@]}"; do in_root systemctl disable "$u" >/dev/null 2>&1 || true; done
umount "$root/dev" "$root/sys" "$root/proc"
rm -f "$root/usr/sbin/policy-rc.d"

# --- configuration ----------------------------------------------------------------------------
uuid=$(cat /proc/sys/kernel/random/uuid)
printf 'UUID=%s / ext4 errors=remount-ro 0 1\n' "$uuid" >"$root/etc/fstab"
echo debian >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
# cloud-init writes the NIC's stanza into interfaces.d (its eni renderer).
printf 'source /etc/network/interfaces.d/*\n\nauto lo\niface lo inet loopback\n' >"$root/etc/network/interfaces"
mkdir -p "$root/etc/network/interfaces.d"
cat >"$root/etc/cloud/cloud.cfg.d/90-virtkit.cfg" <<'EOF'
# virtkit's test image (scripts/build-debian-cloud-image.sh): a NoCloud seed (a cdrom or disk
# labelled cidata) or nothing; fewer and faster steps for a guest that boots under TCG.
datasource_list: [ NoCloud, None ]
# C.UTF-8 needs no locale-gen (minutes under TCG).
locale: C.UTF-8
# RSA host keys take long to make under TCG.
ssh_genkeytypes: [ ed25519, ecdsa ]
grub_dpkg:
  enabled: false
EOF
# Made at first boot: each clone gets its own machine id and (by cloud-init) its own host keys.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root"/etc/ssh/ssh_host_*
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/log/*.log "$root/etc/resolv.conf"

# --- the disk ---------------------------------------------------------------------------------
mkdir -p "$root/boot/extlinux" "$mnt"
cat >"$root/boot/extlinux/extlinux.conf" <<EOF
default debian
prompt 0
timeout 0
serial 0 115200
label debian
  kernel /boot/vmlinuz-$kver
  initrd /boot/initrd.img-$kver
  append root=UUID=$uuid ro console=ttyS0,115200
EOF
part_mib=$((DISK_SIZE_MIB - PART_START_MIB))
log "mkfs.ext4 -d (${part_mib} MiB), extlinux, MBR"
# No 64bit feature: syslinux reads ext4 but not every newer feature; a 2 GiB file system needs none.
mkfs.ext4 -q -F -L debian-root -U "$uuid" -O ^64bit -d "$root" "$work/part.img" "${part_mib}M"
mount -o loop "$work/part.img" "$mnt"
extlinux --install "$mnt/boot/extlinux" >&2
umount "$mnt"
truncate -s "${DISK_SIZE_MIB}M" "$work/disk.raw"
parted -s "$work/disk.raw" mklabel msdos mkpart primary ext4 "${PART_START_MIB}MiB" 100% set 1 boot on
dd if="$work/part.img" of="$work/disk.raw" bs=1M seek="$PART_START_MIB" conv=sparse,notrunc status=none
dd if=/usr/lib/EXTLINUX/mbr.bin of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/image.qcow2"

# The stamp goes last: a fresh stamp always means a finished image.
rm -f "$stamp_out"
mv -f "$work/image.qcow2" "$image_out"
printf 'script-sha256=%s\n%s\nbuilt=%s in %ss\n' "$script_hash" "$versions" "$(date -u +%FT%TZ)" "$((SECONDS - t0))" >"$work/stamp"
mv -f "$work/stamp" "$stamp_out"
log "done in $((SECONDS - t0)) s: $image_out ($(du -m "$image_out" | cut -f1) MiB)"
echo "$image_out"
