/**
 * What a pool volume that is not a qcow2 (v2/v3) image is, from its magic bytes only, as libvirt's
 * virStorageFileProbeFormat does for pool volumes (never from the file name's extension): qcow v1,
 * QED, vmdk (sparse "KDMV" and the text descriptor), vdi, vhdx, vpc, and raw LUKS. Its capacity comes
 * from the header where that is one field (else the caller uses the file size), and its encryption.
 *
 * Pure and total: it reads only the bytes the caller gives (at most PROBE_HEAD_BYTES, or
 * VMDK_DESCRIPTOR_MAX_BYTES for a descriptor), and a header with nonsense in it yields an unknown
 * capacity, never an exception. Only for listing pool volumes: a disk's format is always explicit.
 */
import { bytesView, u16, u32, u64 } from './qcow2-bytes.js';
import { QCOW2_MAGIC } from './qcow2.js';

export type ProbedFormat = 'qcow2' | 'qcow' | 'qed' | 'vmdk' | 'vdi' | 'vhdx' | 'vpc' | 'luks';

/** Every magic and one-field header below lies in the first 512 bytes. */
export const PROBE_HEAD_BYTES = 512;
/** A vmdk descriptor file is a few hundred bytes of text; larger ones are read up to this bound. */
export const VMDK_DESCRIPTOR_MAX_BYTES = 65536;

export interface ProbedImage {
  /** The format of the volume as libvirt names it: a raw LUKS volume is format 'raw' with LUKS encryption. */
  readonly format: Exclude<ProbedFormat, 'luks'> | 'raw';
  /** Bytes the guest sees, when the header says it in one sane field; else undefined (use the file size). */
  readonly capacity: number | undefined;
  readonly encryption: 'luks' | 'qcow' | undefined;
}

const VMDK_DESCRIPTOR = '# Disk DescriptorFile';
const LUKS_MAGIC = [0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe];

function ascii(head: Uint8Array, at: number, text: string): boolean {
  if (head.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (head[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** The format the first bytes announce; undefined for anything else (listed as raw). */
export function probeImageFormat(head: Uint8Array): ProbedFormat | undefined {
  const v = bytesView(head);
  if (head.length >= 8 && u32(v, 0) === QCOW2_MAGIC) {
    const version = u32(v, 4);
    return version === 1 ? 'qcow' : version === 2 || version === 3 ? 'qcow2' : undefined;
  }
  if (ascii(head, 0, 'QED\0')) return 'qed';
  if (ascii(head, 0, 'KDMV') || ascii(head, 0, VMDK_DESCRIPTOR)) return 'vmdk';
  if (head.length >= 72 && v.getUint32(64, true) === 0xbeda107f) return 'vdi';
  if (ascii(head, 0, 'vhdxfile')) return 'vhdx';
  if (ascii(head, 0, 'conectix')) return 'vpc';
  if (head.length >= 8 && LUKS_MAGIC.every((b, i) => head[i] === b)) return 'luks';
  return undefined;
}

/** Whether `format` needs more than the first PROBE_HEAD_BYTES to know its capacity (a vmdk descriptor). */
export function isVmdkDescriptor(head: Uint8Array): boolean {
  return ascii(head, 0, VMDK_DESCRIPTOR);
}

/** A size from a header field: a positive byte count JavaScript holds exactly, else unknown. */
function sane(n: bigint): number | undefined {
  return n > 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : undefined;
}

/**
 * What `head` (the file's first bytes: PROBE_HEAD_BYTES, or up to VMDK_DESCRIPTOR_MAX_BYTES of a
 * descriptor) says about a non-qcow2 image of `fileSize` bytes; undefined when no known magic.
 */
export function probeImage(head: Uint8Array, fileSize: number): ProbedImage | undefined {
  const format = probeImageFormat(head);
  if (format === undefined || format === 'qcow2') return undefined;
  const v = bytesView(head);
  const has = (n: number) => head.length >= n;
  switch (format) {
    case 'qcow': {
      // QEMU's block/qcow.c: size u64 at 24, crypt_method u32 at 36 (1: AES).
      const capacity = has(40) ? sane(u64(v, 24)) : undefined;
      return { format, capacity, encryption: has(40) && u32(v, 36) === 1 ? 'qcow' : undefined };
    }
    case 'qed':
      // QEMU's block/qed.h: image_size u64 little-endian at 48.
      return { format, capacity: has(56) ? sane(v.getBigUint64(48, true)) : undefined, encryption: undefined };
    case 'vmdk':
      return { format, capacity: isVmdkDescriptor(head) ? descriptorCapacity(head) : has(20) ? sane(v.getBigUint64(12, true) * 512n) : undefined, encryption: undefined };
    case 'vdi':
      // QEMU's block/vdi.c VdiHeader: disk_size u64 little-endian at 368.
      return { format, capacity: has(376) ? sane(v.getBigUint64(368, true)) : undefined, encryption: undefined };
    case 'vhdx':
      // The size lives in the metadata region, past the first bytes: image-probe-vhdx.ts reads it through the source.
      return { format, capacity: undefined, encryption: undefined };
    case 'vpc':
      return { format, capacity: vpcCapacity(head), encryption: undefined };
    case 'luks':
      return { format: 'raw', capacity: luksCapacity(head, fileSize), encryption: 'luks' };
  }
}

/** The sum of a descriptor's extent lines ("RW 10240 FLAT "x-flat.vmdk" 0"), as qemu-img info reports it. */
function descriptorCapacity(head: Uint8Array): number | undefined {
  const text = new TextDecoder('latin1').decode(head.subarray(0, VMDK_DESCRIPTOR_MAX_BYTES));
  let sectors = 0n;
  let extents = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*(RW|RDONLY|NOACCESS)\s+(\d{1,20})\s+\w+/.exec(line);
    if (!m) continue;
    sectors += BigInt(m[2] as string);
    extents++;
  }
  return extents === 0 ? undefined : sane(sectors * 512n);
}

/**
 * A VHD footer (copied to the start of a dynamic image): current_size u64 at 48, or the CHS geometry
 * (cylinders u16 at 56, heads and sectors u8 at 58, 59) for the images Virtual PC and QEMU made,
 * whose current_size QEMU ignores (block/vpc.c, vpc_ignore_current_size).
 */
function vpcCapacity(head: Uint8Array): number | undefined {
  if (head.length < 64) return undefined;
  const v = bytesView(head);
  const creator = new TextDecoder('latin1').decode(head.subarray(28, 32));
  const os = new TextDecoder('latin1').decode(head.subarray(36, 40));
  const chs = BigInt(u16(v, 56)) * BigInt(v.getUint8(58)) * BigInt(v.getUint8(59));
  const useChs = (creator === 'vpc ' || creator === 'qemu') && os === 'Wi2k' && chs !== 65535n * 16n * 255n;
  return sane(useChs ? chs * 512n : u64(v, 48));
}

/** LUKS1: payload_offset u32 (512-byte sectors) at 104; the guest sees the file past it. LUKS2 keeps it in JSON: unknown. */
function luksCapacity(head: Uint8Array, fileSize: number): number | undefined {
  if (head.length < 108 || u16(bytesView(head), 6) !== 1) return undefined;
  const payload = u32(bytesView(head), 104) * 512;
  return payload < fileSize ? fileSize - payload : undefined;
}
