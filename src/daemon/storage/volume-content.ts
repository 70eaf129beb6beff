/**
 * vol-upload and vol-download: a volume's file bytes streamed in from, or out
 * to, the API. An upload runs as the pool's one job (no delete, refresh or
 * second upload meanwhile) and answers only once the bytes are fsync'ed; the
 * volume is then read again (a qcow2 image uploaded whole has a new header).
 * A download opens the file and streams it outside the job: it holds no
 * lock for as long as the client takes to read.
 */
import type { Readable } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import { downloadRange, uploadRange, type ByteRange, type VolumeExtent } from '../../core/storage/volume-range.js';
import { fileSizes, fsSpace } from '../../host/storage/space.js';
import { readVolumeRange, writeVolumeRange, type RangeSender } from '../../host/storage/volume-stream.js';
import { writeVolumeRangeSparse } from '../../host/storage/volume-sparse.js';
import type { StorageContext } from './context.js';
import { onPool, type JobOpts } from './pool-ops.js';
import { lookupPool, volumeIn } from './queries.js';
import { volumeView, type PoolRecord, type VolumeInfo, type VolumeRecord } from './records.js';
import { readVolume } from './volumes.js';

export interface UploadRequest {
  readonly offset: number;
  /** The number of bytes `source` carries (the request's Content-Length). */
  readonly length: number;
  readonly source: Readable;
  /** Keep zero blocks as holes (vol-upload --sparse; host/storage/volume-sparse.ts). */
  readonly sparse?: boolean;
}

export interface Download {
  readonly range: ByteRange;
  /** Writes the range's bytes into `out` (once); rejects when `out` goes away first. */
  readonly send: RangeSender;
}

export async function extentOf(v: VolumeRecord, pool: string): Promise<VolumeExtent> {
  if (v.type !== 'file') {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `volume '${v.name}' of pool '${pool}' is a ${v.type}: only file volumes are uploaded and downloaded`, {
      details: { pool, volume: v.name, type: v.type },
    });
  }
  const s = await fileSizes(v.path);
  return { name: v.name, format: v.format, capacity: v.format === 'raw' ? s.length : v.capacity, fileSize: s.length };
}

export function uploadVolume(ctx: StorageContext, poolRef: string, name: string, r: UploadRequest, o: JobOpts): Promise<VolumeInfo> {
  return onPool(ctx, poolRef, 'upload to volume in', o, async (p) => {
    const v = volumeIn(p, name);
    const range = uploadRange(await extentOf(v, p.name), r.offset, r.length);
    try {
      await (r.sparse === true ? writeVolumeRangeSparse(v.path, range, r.source, ctx.deps.run) : writeVolumeRange(v.path, range, r.source));
    } catch (e) {
      ctx.deps.log.warn(`pool '${p.name}': ${(e as Error).message}`);
      throw e;
    } finally {
      await rereadVolume(ctx, p, name);
    }
    return volumeView(p.name, p.volumes.get(name) ?? v);
  });
}

/** After an upload (done or not): the volume read again (its size, allocation, a new qcow2 header) and the pool's free space. */
export async function rereadVolume(ctx: StorageContext, p: PoolRecord, name: string): Promise<void> {
  const dir = p.def.target?.path;
  const rec = dir === undefined ? undefined : await readVolume(ctx, dir, name).catch(() => undefined);
  if (rec) p.volumes.set(name, rec);
  if (dir !== undefined) p.space = await fsSpace(dir).catch(() => p.space);
}

export async function downloadVolume(ctx: StorageContext, poolRef: string, name: string, offset: number, length: number | undefined): Promise<Download> {
  const p = await lookupPool(ctx, poolRef);
  const v = volumeIn(p, name);
  const range = downloadRange(await extentOf(v, p.name), offset, length);
  return { range, send: await readVolumeRange(v.path, range) };
}
