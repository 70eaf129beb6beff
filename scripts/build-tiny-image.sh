#!/usr/bin/env bash
# Builds the tiny bootable disk image: one qcow2 disk (an MBR with one partition) holding an ext4
# root with busybox, Debian's cloud kernel and a small initramfs in /boot, and extlinux as its
# boot loader, so that SeaBIOS boots it from the disk alone (no <kernel> in the domain XML).
# The root's /sbin/init is the test guest's /init, run with the kernel command line switches
# virtkit.net=dhcp, virtkit.hostname=tiny and virtkit.shell=1 (extlinux.conf): DHCP on every
# NIC, the lease and VIRTKIT-GUEST-READY on the serial console, a shell there, power off on the
# ACPI power button. The kernel, busybox, the modules and those scripts come from the test
# guest's build (scripts/build-test-guest.sh), run first, so the two guests share them.
# See docs/test-guest.md, "The tiny disk image".
#
# Output (cached; rebuilt when the test guest, extlinux, mke2fs or this script and its files
# in scripts/tiny-image/ change, or with --force):
#   $VIRTKIT_TINY_IMAGE_DIR (default: <repo>/.cache/tiny-image)/tiny.qcow2
#   $VIRTKIT_TINY_IMAGE_DIR/stamp
# The last line of stdout is the image's path.
#
# Needs root: extlinux installs into a mounted file system (a loop mount of the image; no
# device-mapper, no partition devices). Host tools: extlinux and syslinux-common (the boot
# loader), e2fsprogs, qemu-utils, cpio (scripts/setup.sh installs them).
set -euo pipefail

SIZE_MIB=256
# The partition starts at 1 MiB (sector 2048), as partitioning tools put it.
PART_START=2048
LABEL=virtkit-tiny
# Fixed, so that two builds from the same inputs differ only in timestamps, and the kernel
# command line can name the root by it.
UUID=7e57a1b0-0000-4000-8000-74696e790001
HOSTNAME=tiny
MBR_BIN=/usr/lib/EXTLINUX/mbr.bin
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
out_dir=${VIRTKIT_TINY_IMAGE_DIR:-$repo_root/.cache/tiny-image}
src=$repo_root/scripts/tiny-image
image_out=$out_dir/tiny.qcow2
stamp_out=$out_dir/stamp

log() { printf 'build-tiny-image: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

force=0
case ${1:-} in
  '') ;;
  --force) force=1 ;;
  *) die "usage: $0 [--force]" ;;
esac

# The kernel, and busybox, the modules and the init scripts inside the test guest's initramfs.
mapfile -t guest < <(bash "$repo_root/scripts/build-test-guest.sh" | tail -n 2)
kernel=${guest[0]:-} initrd=${guest[1]:-}
[[ -f $kernel && -f $initrd ]] || die "build-test-guest.sh gave no kernel and initramfs"
guest_stamp=$(dirname "$initrd")/stamp

for pair in mke2fs:e2fsprogs extlinux:extlinux qemu-img:qemu-utils cpio:cpio; do
  PATH=$PATH:/usr/sbin:/sbin command -v "${pair%%:*}" >/dev/null \
    || die "no ${pair%%:*}: install the Debian package ${pair#*:} (scripts/setup.sh does)"
done
for f in "$MBR_BIN" "$LDLINUX_C32"; do
  [[ -f $f ]] || die "no $f: install the Debian packages extlinux and syslinux-common (scripts/setup.sh does)"
done
mke2fs=$(PATH=$PATH:/usr/sbin:/sbin command -v mke2fs)

stamp="guest-sha256=$(sha256sum <"$guest_stamp" | cut -d' ' -f1)
boot-loader=$(dpkg-query -W -f '${Package}=${Version}\n' extlinux syslinux-common 2>/dev/null | paste -sd ' ')
mke2fs=$("$mke2fs" -V 2>&1 | head -n 1)
size=${SIZE_MIB}M
script-sha256=$(cat "$script_path" "$src"/* | sha256sum | cut -d' ' -f1)"

is_fresh() { [[ $force -eq 0 && -f $image_out && -f $stamp_out && $(cat "$stamp_out") == "$stamp" ]]; }
finish() { printf '%s\n' "$image_out"; exit 0; }

is_fresh && finish
mkdir -p "$out_dir"
# Parallel callers (test files, two CLIs): one builds, the others wait and reuse it.
exec {lock_fd}>"$out_dir/.lock"
flock "$lock_fd"
is_fresh && finish

[[ $(id -u) -eq 0 ]] || die "needs root: extlinux installs into a mounted file system (a loop mount)"
log "building $image_out"
work=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-tiny.XXXXXX")
mnt=$work/mnt
cleanup() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" || umount -l "$mnt"; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir "$work/initrd" "$mnt"
(cd "$work/initrd" && gzip -dc "$initrd" | cpio -id --quiet)
g=$work/initrd

# The initramfs: busybox, the modules that mounting the root needs (the virtio PCI transport
# and virtio_blk; ext4 is built into the kernel), and initramfs-init.
ird=$work/initramfs
mkdir -p "$ird"/{dev,proc,sys,newroot,etc}
cp -a "$g/bin" "$ird/"
grep /virtio "$g/etc/modules.load" >"$ird/etc/modules.load" || die "no virtio modules in the test guest's modules.load"
while read -r m; do
  mkdir -p "$ird$(dirname "$m")"
  cp "$g$m" "$ird$m"
done <"$ird/etc/modules.load"
install -m 0755 "$src/initramfs-init" "$ird/init"

# The root: the test guest's busybox, modules and /etc (acpid's actions, the network and DHCP
# scripts, the module lists), its /init as /sbin/init, the kernel and initramfs in /boot.
root=$work/root
mkdir -p "$root"/{dev,proc,sys,run,tmp,root,sbin,boot/extlinux}
chmod 1777 "$root/tmp"
cp -a "$g/bin" "$g/lib" "$g/etc" "$root/"
install -m 0755 "$g/init" "$root/sbin/init"
# The initramfs has loaded the virtio modules: /sbin/init loads the rest (the ACPI button, evdev, pvpanic).
grep -v /virtio "$g/etc/modules.load" >"$root/etc/modules.load" || true
# The power button: the root goes read-only, then the test guest's action powers off
# (acpid runs a directory of actions with run-parts, in name order).
power=$root/etc/acpi/PWRF/00000080
mv "$power" "$work/power-off"
mkdir "$power"
install -m 0755 "$src/root-read-only" "$power/10-root-read-only"
install -m 0755 "$work/power-off" "$power/20-power-off"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"
printf '%s\n' "$HOSTNAME" >"$root/etc/hostname"
# The kernel and initramfs are copied in through the mount below, not by mke2fs -d: that
# leaves holes where a file has zero blocks, and extlinux cannot read a file with holes
# ("Loading /boot/vmlinuz failed: I/O error").
boot=$work/boot
mkdir "$boot"
cp "$kernel" "$boot/vmlinuz"
(cd "$ird" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) \
  | gzip -9n >"$boot/initrd.img"
cp "$LDLINUX_C32" "$root/boot/extlinux/"
# console=ttyS0 last: /dev/console, where /sbin/init prints, is the serial port.
cat >"$root/boot/extlinux/extlinux.conf" <<EOF
SERIAL 0 115200
DEFAULT tiny
PROMPT 0
TIMEOUT 0
LABEL tiny
  LINUX /boot/vmlinuz
  INITRD /boot/initrd.img
  APPEND root=UUID=$UUID console=tty0 console=ttyS0 quiet virtkit.net=dhcp virtkit.hostname=$HOSTNAME virtkit.shell=1
EOF

# The disk: an MBR partition table with one bootable Linux partition, the ext4 file system
# written into it by mke2fs -d (offset), extlinux installed through a loop mount, and
# extlinux's MBR code, which boots the active partition.
disk=$work/disk.raw
sectors=$((SIZE_MIB * 2048))
part_sectors=$((sectors - PART_START))
truncate -s "${SIZE_MIB}M" "$disk"
"$mke2fs" -q -t ext4 -F -L "$LABEL" -U "$UUID" \
  -E "root_owner=0:0,hash_seed=$UUID,offset=$((PART_START * 512))" \
  -d "$root" "$disk" "$((part_sectors / 2))k" >&2
mount -o "loop,offset=$((PART_START * 512)),sizelimit=$((part_sectors * 512))" "$disk" "$mnt"
cp --sparse=never "$boot/vmlinuz" "$boot/initrd.img" "$mnt/boot/"
# extlinux cannot ask a loop device for its geometry and says so; harmless here (SeaBIOS
# reads by LBA), so its output shows only when it fails.
out=$(extlinux --install "$mnt/boot/extlinux" 2>&1) || die "extlinux --install failed: $out"
umount "$mnt"

# Little-endian 32-bit value as printf escapes.
le32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)); }
# A CHS address (255 heads, 63 sectors a track) as the three bytes of a partition entry.
chs() {
  local c=$(($1 / (255 * 63))) h=$(($1 / 63 % 255)) s=$(($1 % 63 + 1))
  ((c < 1024)) || { c=1023 h=254 s=63; }
  printf '\\x%02x\\x%02x\\x%02x' "$h" $((s | (c >> 8) << 6)) $((c & 255))
}
dd if="$MBR_BIN" of="$disk" bs=440 count=1 conv=notrunc status=none
# Disk signature, then the first partition entry: active, Linux (0x83), LBA start and length;
# the other three entries stay empty; the boot signature 55 AA.
printf "$(le32 0x766b7479)\\x00\\x00\\x80$(chs $PART_START)\\x83$(chs $((sectors - 1)))$(le32 $PART_START)$(le32 $part_sectors)" \
  | dd of="$disk" bs=1 seek=440 conv=notrunc status=none
printf '\x55\xaa' | dd of="$disk" bs=1 seek=510 conv=notrunc status=none

# Rename into place (atomic on one file system); the stamp goes last.
rm -f "$stamp_out"
qemu-img convert -f raw -O qcow2 "$disk" "$out_dir/.tiny.qcow2.new"
printf '%s\n' "$stamp" >"$out_dir/.stamp.new"
mv -f "$out_dir/.tiny.qcow2.new" "$image_out"
mv -f "$out_dir/.stamp.new" "$stamp_out"
log "done"
finish
