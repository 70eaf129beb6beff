/**
 * Transfer leases: vol-upload and vol-download's local fast path. A client on
 * the daemon's own host (over its UNIX socket) asks for a lease on a volume
 * that is a plain file in a local pool (dir, fs); the daemon checks what it
 * checks for a streaming transfer (the volume, the range, the pool's job for
 * an upload), answers the file's path, identity and byte range, and the client
 * copies between its file and the volume itself, with its own credentials.
 *
 * An upload lease holds the pool's job, as a streaming upload does, from the
 * grant until the lease ends: vol-delete, vol-wipe, vol-resize, a refresh or a
 * second upload wait for it (or time out) the same way. It ends when the client
 * says it copied and fsync'ed every byte, or gave up, or went away (its
 * connection closed): then the volume is read again, as after a streaming upload,
 * done or failed. A download lease holds nothing, as a streaming download
 * holds nothing once it has opened the file.
 */
import { stat } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import { downloadRange, uploadRange, type ByteRange } from '../../core/storage/volume-range.js';
import type { StorageContext } from './context.js';
import { onPool, type JobOpts } from './pool-ops.js';
import { lookupPool, volumeIn } from './queries.js';
import { volumeView, type PoolRecord, type VolumeInfo, type VolumeRecord } from './records.js';
import { extentOf, rereadVolume } from './volume-content.js';

/** Pools whose volumes are plain files on a local file system: a local client may open them itself. */
const LOCAL_POOLS: ReadonlySet<string> = new Set(['dir', 'fs']);

export interface LeaseRequest {
  readonly direction: 'upload' | 'download';
  readonly offset: number;
  /** upload: the bytes the client will write; download: at most this many (0 or absent: to the end). */
  readonly length?: number;
}

/** What the client needs to copy: the file, its identity (so that a client that sees another file at that path stays off it) and the range. */
export interface LeaseGrant {
  readonly path: string;
  /** st_dev and st_ino of the volume's file, as decimal strings (they may not fit a double). */
  readonly dev: string;
  readonly ino: string;
  readonly format: string;
  readonly range: ByteRange;
}

/** ok: copied and fsync'ed; else failed midway, or (`unused`) given back before a byte was written: the client streams instead. */
export type LeaseOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly unused?: boolean };

export interface VolumeLease {
  readonly grant: LeaseGrant;
  /**
   * Ends the lease (once): an upload's volume is read again and its job released; resolves with
   * the volume as it then is, rejects (IO_ERROR) when the client did not finish.
   */
  end(outcome: LeaseOutcome): Promise<VolumeInfo>;
}

function checkLocal(p: PoolRecord, v: VolumeRecord): void {
  if (!LOCAL_POOLS.has(p.def.type) || v.type !== 'file') {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `volume '${v.name}' of ${p.def.type} pool '${p.name}' is not a plain local file: ` +
      'it has no transfer lease; use the streaming upload or download', { details: { pool: p.name, volume: v.name, poolType: p.def.type, type: v.type } });
  }
}

/** The grant, noted in the log (a client on this host writes or reads the file itself). */
async function grantOf(ctx: StorageContext, p: PoolRecord, v: VolumeRecord, direction: string, range: ByteRange): Promise<LeaseGrant> {
  const s = await stat(v.path, { bigint: true });
  ctx.deps.log.info(`pool '${p.name}': ${direction} lease on volume '${v.name}' (${range.length} bytes at ${range.offset}) to a local client`);
  return { path: v.path, dev: String(s.dev), ino: String(s.ino), format: v.format, range };
}

function noteUnused(ctx: StorageContext, p: PoolRecord, name: string, outcome: LeaseOutcome): void {
  if (!outcome.ok && outcome.unused === true) ctx.deps.log.info(`pool '${p.name}': lease on volume '${name}' given back unused: ${outcome.reason}`);
}

const unfinished = (pool: string, name: string, reason: string): VirtkitError =>
  new VirtkitError('IO_ERROR', `the local upload to volume '${name}' of pool '${pool}' did not finish: ${reason}; ` +
    'the bytes written so far stay in place (the rest of the volume is unchanged)', { details: { pool, volume: name } });

/** An upload lease: granted once the pool's job is held and the range checked; the job lasts until `end`. */
function leaseUpload(ctx: StorageContext, poolRef: string, name: string, r: LeaseRequest, o: JobOpts): Promise<VolumeLease> {
  return new Promise<VolumeLease>((granted, refused) => {
    let finish: (outcome: LeaseOutcome) => void = () => undefined;
    const ended = new Promise<LeaseOutcome>((resolve) => { finish = resolve; });
    const job = onPool(ctx, poolRef, 'upload to volume in', o, async (p) => {
      const v = volumeIn(p, name);
      checkLocal(p, v);
      const range = uploadRange(await extentOf(v, p.name), r.offset, r.length ?? 0);
      granted({ grant: await grantOf(ctx, p, v, 'upload', range), end: (outcome) => { finish(outcome); return job; } });
      const outcome = await ended;
      await rereadVolume(ctx, p, name);
      noteUnused(ctx, p, name, outcome);
      if (!outcome.ok && outcome.unused !== true) {
        const e = unfinished(p.name, name, outcome.reason);
        ctx.deps.log.warn(`pool '${p.name}': ${e.message}`);
        throw e;
      }
      return volumeView(p.name, p.volumes.get(name) ?? v);
    });
    // Before the grant this refuses the lease; after it, `end`'s caller gets the outcome.
    job.catch(refused);
  });
}

async function leaseDownload(ctx: StorageContext, poolRef: string, name: string, r: LeaseRequest): Promise<VolumeLease> {
  const p = await lookupPool(ctx, poolRef);
  const v = volumeIn(p, name);
  checkLocal(p, v);
  const range = downloadRange(await extentOf(v, p.name), r.offset, r.length);
  const grant = await grantOf(ctx, p, v, 'download', range);
  return {
    grant,
    end: async (outcome) => {
      noteUnused(ctx, p, name, outcome);
      return volumeView(p.name, p.volumes.get(name) ?? v);
    },
  };
}

export function leaseVolume(ctx: StorageContext, poolRef: string, name: string, r: LeaseRequest, o: JobOpts): Promise<VolumeLease> {
  return r.direction === 'upload' ? leaseUpload(ctx, poolRef, name, r, o) : leaseDownload(ctx, poolRef, name, r);
}
