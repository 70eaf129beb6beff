/**
 * The storage side of `virtkit clone` (clone.ts): each disk the plan (core/clone/plan.ts) copies
 * or links, made through the storage engine when the new disk is a pool volume (vol-clone's
 * machinery, or an import from a file outside the pool) and as an atomic file otherwise
 * (qemu-img convert, or a qcow2 overlay, into a hidden temp file published under its name).
 * Each made disk has its undo; the caller walks them backwards when a later step fails.
 */
import { copyFile, constants as fsc } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import type { DiskAction, StorageRef } from '../../core/clone/plan.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import { reflinkCopy } from '../../host/storage/reflink.js';
import { fileError, publishVolume, removeFile, tempVolumePath } from '../../host/storage/volume-files.js';
import { checkChain } from '../storage/chain-policy.js';
import type { StorageContext } from '../storage/context.js';
import { lookupPool, volumeIn } from '../storage/queries.js';
import type { PoolRecord } from '../storage/records.js';
import { cloneVolume, importVolume } from '../storage/volume-copy.js';
import { onPool } from '../storage/pool-ops.js';
import { makeVolume, poolDir, requireFree } from '../storage/volume-make.js';
import { deleteVolume } from '../storage/volume-ops.js';

/** Where a disk's storage is on this host: a volume of an active pool, or a plain file. */
export type Place =
  | { readonly kind: 'volume'; readonly pool: PoolRecord; readonly volume: string; readonly path: string }
  | { readonly kind: 'file'; readonly path: string };

export interface Made {
  /** Where the new storage is (a file path, or POOL/VOLUME), for messages. */
  readonly what: string;
  undo(): Promise<void>;
}

export interface CopyProgress {
  readonly target: string;
  /** The new file's name, as virt-clone's "Allocating 'NAME'". */
  readonly file: string;
  readonly percent: number;
}

/** A file in an active pool's directory is that pool's volume (so the pool lists what the clone makes). */
export async function placeOf(s: StorageContext, ref: StorageRef): Promise<Place> {
  if (ref.kind === 'volume') {
    const pool = await lookupPool(s, ref.pool);
    const dir = pool.def.target?.path;
    if (pool.state !== 'running' || dir === undefined) {
      throw new VirtkitError('OPERATION_INVALID', `storage pool '${pool.name}' is not an active pool of files; start it first (pool-start)`, { details: { pool: pool.name } });
    }
    return { kind: 'volume', pool, volume: ref.volume, path: join(dir, ref.volume) };
  }
  const dir = posix.normalize(dirname(ref.path));
  const pool = s.pools.all().find((p) => p.state === 'running' && p.def.target?.path !== undefined && posix.normalize(p.def.target.path) === dir);
  return pool ? { kind: 'volume', pool, volume: basename(ref.path), path: ref.path } : { kind: 'file', path: ref.path };
}

/** The source's path and format: a volume's (the disk's own <driver type> first), or the file's with the disk's format (raw when none, as QEMU). */
export function sourceImage(place: Place, diskFormat: string | undefined): { path: string; format: string } {
  if (place.kind === 'volume' && place.pool.volumes.has(place.volume)) {
    const v = volumeIn(place.pool, place.volume);
    if (v.type !== 'file') {
      throw new VirtkitError('UNSUPPORTED_OPERATION', `volume '${v.name}' of pool '${place.pool.name}' is a ${v.type}, not an image file: virtkit clones image files only`, { details: { volume: v.name } });
    }
    return { path: v.path, format: diskFormat ?? v.format };
  }
  return { path: place.path, format: diskFormat ?? 'raw' };
}

/** Whether the destination exists: a pool's volume, or a file on disk (`exists`, asked ahead). */
export function placeTaken(place: Place, exists: (path: string) => boolean): boolean {
  return (place.kind === 'volume' && place.pool.volumes.has(place.volume)) || exists(place.path);
}

/**
 * --reflink of a raw disk (virt-clone reflinks raw images only): a pool volume made atomically in
 * its pool's job, or an atomic file; no fallback to a full copy when the file system cannot.
 */
async function reflinkDisk(s: StorageContext, d: { target: string }, src: { path: string }, to: Place): Promise<Made> {
  if (to.kind === 'volume') {
    const pool = to.pool.name;
    await onPool(s, pool, 'clone volume in', {}, async (p) => {
      const dir = poolDir(p, 'clone a volume');
      await requireFree(s, p, dir, to.volume);
      return makeVolume(s, p, dir, to.volume, 'reflink volume', (temp) => reflinkCopy(src.path, temp));
    });
    return { what: `${pool}/${to.volume}`, undo: async () => { await deleteVolume(s, pool, to.volume, {}); } };
  }
  const temp = tempVolumePath(dirname(to.path), basename(to.path));
  try {
    await reflinkCopy(src.path, temp);
    await publishVolume(temp, to.path);
  } catch (e) {
    await removeFile(temp).catch(() => undefined);
    throw fileError(`cannot clone disk '${d.target}' to ${to.path}`, e);
  }
  return { what: to.path, undo: async () => { await removeFile(to.path); } };
}

/** Copies or links one disk; answers how to undo it. */
export async function makeDisk(s: StorageContext, d: Extract<DiskAction, { action: 'copy' | 'link' }>, from: Place, to: Place, format: string | undefined,
  o: { onProgress?: ((p: CopyProgress) => void) | undefined; reflink?: boolean | undefined } = {}): Promise<Made> {
  const src = sourceImage(from, format);
  const linked = d.action === 'link';
  if (o.reflink === true && !linked && src.format === 'raw') return reflinkDisk(s, d, src, to);
  const onProgress = o.onProgress;
  if (linked && src.format !== 'qcow2') {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `disk '${d.target}' is ${src.format}: a linked clone needs a qcow2 original (full-clone it, or convert it first)`, {
      details: { target: d.target, format: src.format },
    });
  }
  const progress = onProgress === undefined ? undefined : (percent: number) => onProgress({ target: d.target, file: basename(to.path), percent });
  const po = { ...(progress === undefined ? {} : { onProgress: progress }) };
  if (to.kind === 'volume') {
    const pool = to.pool.name;
    const undo = async () => { await deleteVolume(s, pool, to.volume, {}); };
    if (from.kind === 'volume' && from.pool === to.pool && from.pool.volumes.has(from.volume)) {
      await cloneVolume(s, pool, from.volume, to.volume, { ...po, linked });
      return { what: `${pool}/${to.volume}`, undo };
    }
    if (linked) {
      throw new VirtkitError('UNSUPPORTED_OPERATION', `disk '${d.target}': a linked clone's overlay goes in its original's pool or directory, not in pool '${pool}'`, { details: { target: d.target, pool } });
    }
    if (src.format !== 'raw' && src.format !== 'qcow2') {
      throw new VirtkitError('UNSUPPORTED_OPERATION', `disk '${d.target}' is ${src.format}: virtkit copies raw and qcow2 disks into a pool`, { details: { target: d.target, format: src.format } });
    }
    await importVolume(s, pool, { file: src.path, format: src.format, name: to.volume, targetFormat: src.format }, po);
    return { what: `${pool}/${to.volume}`, undo };
  }
  await checkChain(s, src);
  const temp = tempVolumePath(dirname(to.path), basename(to.path));
  const img = new QemuImg();
  try {
    if (linked) {
      const size = (await img.info(src)).virtualSize;
      await img.create({ path: temp, format: 'qcow2', size, backing: src });
    } else {
      await img.convert({ source: src, target: { path: temp, format: src.format } }, progress === undefined ? {} : { onProgress: progress });
    }
    await publishVolume(temp, to.path);
  } catch (e) {
    await removeFile(temp).catch(() => undefined);
    throw fileError(`cannot clone disk '${d.target}' to ${to.path}`, e);
  }
  return { what: to.path, undo: async () => { await removeFile(to.path); } };
}

/** The NVRAM file copied to its new name (never over an existing file). */
export async function copyNvram(from: string, to: string): Promise<Made> {
  try {
    await copyFile(from, to, fsc.COPYFILE_EXCL);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VirtkitError('CLONE_TARGET_EXISTS', `the clone's NVRAM file ${to} exists already; choose another --nvram`, { details: { target: 'nvram', path: to } });
    }
    throw fileError(`cannot copy the NVRAM file ${from} to ${to}`, e);
  }
  return { what: to, undo: async () => { await removeFile(to); } };
}
