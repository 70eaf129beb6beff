/**
 * Which bytes of a volume's file an upload writes or a download reads
 * (virsh vol-upload / vol-download --offset --length). As in libvirt, the
 * transfer is of the file's bytes whatever its format: a qcow2 volume is
 * uploaded and downloaded as the qcow2 image file. A raw volume's file is its
 * disk, so an upload must fit in its capacity (libvirt would grow the file and
 * silently change the disk's size: refused here, VOLUME_RANGE_INVALID); any
 * other format's file may grow, as libvirt lets it, and the volume is read
 * again afterwards.
 */
import { VirtkitError } from '../errors.js';

export interface VolumeExtent {
  readonly name: string;
  readonly format: string;
  /** The disk size (raw: the file's length). */
  readonly capacity: number;
  /** The file's length now. */
  readonly fileSize: number;
}

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

function refuse(v: VolumeExtent, why: string, details: Record<string, unknown>): VirtkitError {
  return new VirtkitError('VOLUME_RANGE_INVALID', `volume '${v.name}': ${why}`, { details: { volume: v.name, ...details } });
}

/** The bytes an upload of `length` bytes at `offset` writes; refuses a raw upload past the capacity. */
export function uploadRange(v: VolumeExtent, offset: number, length: number): ByteRange {
  if (offset > v.fileSize) {
    throw refuse(v, `offset ${offset} is past the end of its file (${v.fileSize} bytes); a write there would leave a hole before it`,
      { offset, fileSize: v.fileSize });
  }
  if (v.format === 'raw' && offset + length > v.capacity) {
    throw refuse(v, `${length} bytes at offset ${offset} end at ${offset + length}, past its capacity of ${v.capacity} bytes; ` +
      'resize it first (vol-resize) or upload less (--length)', { offset, length, capacity: v.capacity });
  }
  return { offset, length };
}

/** The bytes a download reads: from `offset`, `length` bytes (0 or absent: to the end of the file, as virsh). */
export function downloadRange(v: VolumeExtent, offset: number, length: number | undefined): ByteRange {
  if (offset > v.fileSize) {
    throw refuse(v, `offset ${offset} is past the end of its file (${v.fileSize} bytes)`, { offset, fileSize: v.fileSize });
  }
  const rest = v.fileSize - offset;
  return { offset, length: length === undefined || length === 0 ? rest : Math.min(length, rest) };
}
