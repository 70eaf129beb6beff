/**
 * qemu-img command lines that write into an rbd image through QEMU's own rbd driver (from
 * Debian's qemu-block-extra): the target is an existing image (`-n`) named by
 * `--target-image-opts` as an rbd protocol node whose `conf=` is a private ceph.conf (its keyring
 * beside it holds the cephx key: never on a command line) and whose `user=` is the cephx user.
 * Option values have their commas doubled, so a name cannot add options. rbdExportArgs goes the
 * other way: from an rbd image into a file.
 */
import { escapeOptValue } from '../qemu/argv/escape.js';

export interface RbdTarget {
  readonly pool: string;
  readonly image: string;
  /** A ceph.conf naming the monitors (and the keyring, with cephx). */
  readonly conf: string;
  /** The cephx user without `client.`; none: no authentication. */
  readonly user?: string | undefined;
}

const v = (s: string): string => escapeOptValue(s, 'an rbd image option');

/** The rbd image as a block node's options (driver=rbd,pool=...,image=...,conf=...[,user=...]). */
export function rbdImageOpts(t: RbdTarget): string {
  return [`driver=rbd`, `pool=${v(t.pool)}`, `image=${v(t.image)}`, `conf=${v(t.conf)}`, ...(t.user === undefined ? [] : [`user=${v(t.user)}`])].join(',');
}

/**
 * vol-wipe 'zero' of an rbd image, as libvirt's rbd backend writes zeros over the whole image:
 * a null-co source of the image's size that reads as zeros, converted onto the image (qemu-img
 * writes zeroes wherever the source is zero: the image then reads as zeros throughout).
 */
export function rbdWipeArgs(t: RbdTarget, size: number): string[] {
  return ['convert', '-n', '--image-opts', `driver=null-co,size=${size},read-zeroes=on`, '--target-image-opts', rbdImageOpts(t)];
}

/** A file of an explicit format copied into an existing rbd image of at least its virtual size (vol-create-from). */
export function rbdImportArgs(src: { path: string; format: string }, t: RbdTarget, o: { progress?: boolean } = {}): string[] {
  // --target-image-opts takes no -O: the target node is the rbd image itself, written raw.
  return ['convert', '-n', ...(o.progress === true ? ['-p'] : []), '-f', src.format, src.path, '--target-image-opts', rbdImageOpts(t)];
}

/** An rbd image copied into an existing image of another rbd pool (vol-create-from across pools, or clusters). */
export function rbdCopyArgs(src: RbdTarget, t: RbdTarget, o: { progress?: boolean } = {}): string[] {
  return ['convert', '-n', ...(o.progress === true ? ['-p'] : []), '--image-opts', rbdImageOpts(src), '--target-image-opts', rbdImageOpts(t)];
}

/** An rbd image copied into an existing raw or qcow2 file of at least its size (vol-create-from into a file pool). */
export function rbdExportArgs(src: RbdTarget, file: { path: string; format: 'raw' | 'qcow2' }, o: { progress?: boolean } = {}): string[] {
  return ['convert', '-n', ...(o.progress === true ? ['-p'] : []), '--image-opts', rbdImageOpts(src),
    '--target-image-opts', `driver=${file.format},file.driver=file,file.filename=${v(file.path)}`];
}
