/**
 * Reading a qcow2 image through the caller's byte source: the header cluster first, then the
 * snapshot table, each read bounded by what the header (already checked against the file size)
 * says. The source is injected (host/storage/image-files.ts reads a file), so this stays pure.
 */
import { VirtkitError } from '../errors.js';
import { QCOW2_PROBE_BYTES, parseQcow2Header, qcow2HeaderBytesNeeded, type Qcow2Header } from './qcow2.js';
import { parseSnapshotTable, snapshotTableBytes, type Qcow2Snapshot } from './qcow2-snapshots.js';
import { imageInvalid } from './qcow2-bytes.js';

export interface ImageSource {
  /** The file's size in bytes (st_size): every offset in the image is checked against it. */
  readonly size: number;
  /** Up to `length` bytes at `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface Qcow2Info extends Qcow2Header {
  readonly snapshots: readonly Qcow2Snapshot[];
}

export async function readQcow2(src: ImageSource): Promise<Qcow2Info> {
  const probe = await readExactly(src, 0, Math.min(src.size, QCOW2_PROBE_BYTES));
  const need = qcow2HeaderBytesNeeded(probe, src.size);
  const head = need === undefined || need <= probe.length ? probe : await readExactly(src, 0, need);
  const header = parseQcow2Header(head, src.size);
  const n = snapshotTableBytes(header, src.size);
  const snapshots = n === 0 ? [] : parseSnapshotTable(await readExactly(src, header.snapshotsOffset, n), header, src.size);
  return { ...header, snapshots };
}

async function readExactly(src: ImageSource, offset: number, length: number): Promise<Uint8Array> {
  const b = await src.read(offset, length);
  if (b.length < length) {
    // The file shrank under us, or its size was wrong: the header's bounds no longer hold.
    throw imageInvalid(`read ${b.length} of ${length} bytes at offset ${offset}: the file is shorter than its size said (${src.size})`, { offset, length });
  }
  if (b.length > length) throw new VirtkitError('INTERNAL_ERROR', `the image source returned ${b.length} bytes for a read of ${length}`);
  return b;
}
