#!/usr/bin/env bash
# Builds the test guest's root disk: a small raw ext4 image holding busybox and
# /virtkit/run (scripts/test-guest/rootfs-run), made with `mke2fs -d` from a
# directory, so nothing is mounted and no root is needed (except to install
# e2fsprogs when it is missing). The guest mounts it with virtkit.root=/dev/vda.
# Tests never boot it directly: they copy it, or put a qcow2 overlay on it.
# See docs/test-guest.md.
#
# Output (cached next to the guest; rebuilt only when the guest's stamp, the
# mke2fs version, this script or rootfs-run changes):
#   $VIRTKIT_GUEST_DIR (default: <repo>/.cache/test-guest)/rootfs.img
#   $VIRTKIT_GUEST_DIR/rootfs.stamp
# The last line of stdout is the image's path.
set -euo pipefail

# 32 MiB: busybox takes 2 MiB, ext4's journal 4 MiB; the rest is room for tests.
SIZE=32M
# Fixed, so that two builds from the same inputs differ only in timestamps.
UUID=7e57a1b0-0000-4000-8000-766972746b74

script_path=$(readlink -f "${BASH_SOURCE[0]}")
repo_root=$(dirname "$(dirname "$script_path")")
out_dir=${VIRTKIT_GUEST_DIR:-$repo_root/.cache/test-guest}
run_src=$repo_root/scripts/test-guest/rootfs-run
image_out=$out_dir/rootfs.img
stamp_out=$out_dir/rootfs.stamp

log() { printf 'build-test-rootfs: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The busybox inside comes from the guest's initramfs, so build (or reuse) that first.
initrd=$(bash "$repo_root/scripts/build-test-guest.sh" | tail -n 1)
[[ -f $initrd && -f $out_dir/stamp ]] || die "build-test-guest.sh gave no initramfs"

mke2fs=$(PATH=$PATH:/usr/sbin:/sbin command -v mke2fs || true)
if [[ -z $mke2fs ]]; then
  log "installing e2fsprogs"
  as_root=()
  [[ $(id -u) -eq 0 ]] || as_root=(sudo)
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends e2fsprogs >&2 \
    || { "${as_root[@]}" apt-get update -qq >&2
         "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends e2fsprogs >&2; }
  mke2fs=$(PATH=$PATH:/usr/sbin:/sbin command -v mke2fs) || die "no mke2fs after installing e2fsprogs"
fi

stamp="guest-sha256=$(sha256sum <"$out_dir/stamp" | cut -d' ' -f1)
mke2fs=$("$mke2fs" -V 2>&1 | head -n 1)
size=$SIZE
script-sha256=$(cat "$script_path" "$run_src" | sha256sum | cut -d' ' -f1)"

is_fresh() { [[ -f $image_out && -f $stamp_out && $(cat "$stamp_out") == "$stamp" ]]; }
finish() { printf '%s\n' "$image_out"; exit 0; }

is_fresh && finish
# Parallel test files may all ask at once: one builds, the others wait and reuse it.
exec {lock_fd}>"$out_dir/.rootfs.lock"
flock "$lock_fd"
is_fresh && finish

log "building $image_out"
work=$(mktemp -d "${TMPDIR:-/tmp}/virtkit-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/initrd" "$work/root"
(cd "$work/initrd" && gzip -dc "$initrd" | cpio -id --quiet)

root=$work/root
mkdir -p "$root"/{bin,dev,proc,sys,tmp,root,etc,virtkit}
chmod 1777 "$root/tmp"
# busybox and its applet links (relative: they point at /bin/busybox in the guest).
cp -a "$work/initrd/bin/." "$root/bin/"
[[ -x $root/bin/busybox ]] || die "no bin/busybox in $initrd"
install -m 0755 "$run_src" "$root/virtkit/run"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
printf 'root:x:0:\n' >"$root/etc/group"

# -d copies the tree in; root_owner, -U and hash_seed make two builds differ
# only in their timestamps, whoever runs them.
"$mke2fs" -q -t ext4 -F -L virtkit-root -U "$UUID" -E "root_owner=0:0,hash_seed=$UUID" \
  -d "$root" "$work/rootfs.img" "$SIZE" >&2

# Rename into place (atomic on one file system); the stamp goes last.
rm -f "$stamp_out"
cp --sparse=always "$work/rootfs.img" "$out_dir/.rootfs.img.new"
printf '%s\n' "$stamp" >"$out_dir/.rootfs.stamp.new"
mv -f "$out_dir/.rootfs.img.new" "$image_out"
mv -f "$out_dir/.rootfs.stamp.new" "$stamp_out"
log "done"
finish
