/**
 * Making a volume file atomically, for the actions that copy, clone, import
 * or wipe: the file is written under a hidden temp name in the pool's
 * directory and put in place only once complete (a new name: linked, never
 * replacing what appeared meanwhile; a wipe: renamed over the old file in
 * one step). A failure, a full file system or a kill -9 never leaves a
 * half-made volume under its name (leftover temp files go at the next scan).
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { entrySizesNow, fileSizes, fileSizesNow, fsSpace, fsSpaceNow } from '../../host/storage/space.js';
import { fileError, publishVolume, publishVolumeNow, removeFile, tempVolumePath } from '../../host/storage/volume-files.js';
import type { StorageContext } from './context.js';
import { checkName } from './names.js';
import { requireRunning } from './queries.js';
import { volumeView, type PoolRecord, type VolumeInfo, type VolumeRecord } from './records.js';
import { readVolume } from './volumes.js';

export function poolDir(p: PoolRecord, what: string): string {
  requireRunning(p);
  const dir = p.def.target?.path;
  if (dir === undefined) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot ${what} in ${p.def.type} pool '${p.name}': it holds no files`, { details: { pool: p.name } });
  }
  return dir;
}

function taken(p: PoolRecord, name: string): VirtkitError {
  return new VirtkitError('VOLUME_EXISTS', `storage volume '${name}' already exists in pool '${p.name}'`, { details: { pool: p.name, volume: name } });
}

/** Refuses a name already taken in the pool (listed, or a file in its directory); in a local pool synchronously (requireFreeNow). */
export async function requireFree(ctx: StorageContext, p: PoolRecord, dir: string, name: string): Promise<void> {
  if (localFiles(p)) return requireFreeNow(p, dir, name);
  checkName('volume', name);
  if (p.volumes.has(name) || (await readVolume(ctx, dir, name))) throw taken(p, name);
}

/**
 * Whether the pool's files are on a local file system (a dir pool, or an fs pool's mounted
 * device), where a metadata call (stat, statfs, link, unlink) costs microseconds and may be made
 * synchronously on the main thread; a netfs pool's calls stay in libuv's thread pool, so that a
 * hung server stalls one job, not the daemon.
 */
export function localFiles(p: PoolRecord): boolean {
  return p.def.type === 'dir' || p.def.type === 'fs';
}

/**
 * requireFree without a thread-pool round trip: one stat(2) on the main thread (microseconds for a
 * local file system, against ~0.15-0.2 ms through libuv's pool under load; docs/bench.md). Taken:
 * a listed volume, or a file, directory or block device of that name (what readVolume would list).
 */
function requireFreeNow(p: PoolRecord, dir: string, name: string): void {
  checkName('volume', name);
  if (p.volumes.has(name)) throw taken(p, name);
  const s = entrySizesNow(join(dir, name));
  if (s !== undefined && (s.isFile || s.isDirectory || s.isBlockDevice)) throw taken(p, name);
}

/** Refuses before anything is written when the pool's file system has less than `needed` bytes free. */
export async function requireSpace(p: PoolRecord, dir: string, name: string, needed: number): Promise<void> {
  const space = await fsSpace(dir);
  if (needed > space.available) {
    throw new VirtkitError('NO_SPACE',
      `cannot make volume '${name}' in pool '${p.name}': it needs up to ${needed} bytes and the pool has ${space.available} free; free space in the pool or use another pool`,
      { details: { pool: p.name, volume: name, needed, available: space.available } });
  }
}

/**
 * Runs `fill(temp)` and publishes the temp file as volume `name` of `p`; `replace` renames it over
 * an existing volume (a wipe). Answers the new volume as a fresh scan sees it, or, with `made`, as
 * the caller knows it to be (a linked clone: its format, size and backing file are what the plan
 * wrote), with only its allocation read from the file: one stat instead of reading the header
 * back (docs/bench.md, linked clone).
 */
export async function makeVolume(ctx: StorageContext, p: PoolRecord, dir: string, name: string, what: string,
  fill: (temp: string) => Promise<void>, o: { replace?: boolean; made?: (path: string, allocation: number) => VolumeRecord } = {}): Promise<VolumeInfo> {
  const path = join(dir, name);
  const temp = tempVolumePath(dir, name);
  try {
    await fill(temp);
    if (o.replace === true) await rename(temp, path);
    else if (localFiles(p)) publishVolumeNow(temp, path);
    else await publishVolume(temp, path);
  } catch (e) {
    await removeFile(temp).catch(() => undefined);
    const err = fileError(`cannot ${what} '${name}' in pool '${p.name}'`, e);
    if (err.code === 'NO_SPACE') {
      throw new VirtkitError('NO_SPACE', `cannot ${what} '${name}' in pool '${p.name}': the pool is full (${err.message}); nothing was left behind`, {
        details: { pool: p.name, volume: name }, cause: err,
      });
    }
    throw err;
  }
  const made = o.made;
  const rec = made === undefined ? await readVolume(ctx, dir, name) : await madeRecord(path, made, localFiles(p));
  if (!rec) throw new VirtkitError('IO_ERROR', `volume ${path} vanished right after it was made`);
  p.volumes.set(rec.name, rec);
  p.space = localFiles(p) ? fsSpaceNow(dir) : await fsSpace(dir);
  return volumeView(p.name, rec);
}

async function madeRecord(path: string, made: (path: string, allocation: number) => VolumeRecord, now: boolean): Promise<VolumeRecord | undefined> {
  try {
    return made(path, (now ? fileSizesNow(path) : await fileSizes(path)).allocation);
  } catch {
    return undefined;
  }
}
