/**
 * Volume files in a directory-backed pool. A new volume is made under a
 * hidden temp name (`.NAME.tmp-PID-N`, see daemon/store/atomic.ts) and renamed
 * into place once complete, so that a failure or a kill -9 never leaves a
 * half-made volume under its name; leftovers are removed at the next refresh.
 */
import { linkSync, renameSync, unlinkSync } from 'node:fs';
import { link, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { isNoSpace, runTool, type ToolRunner } from './tool.js';

let counter = 0;
const TEMP_MARK = '.tmp-';

export function tempVolumePath(dir: string, name: string): string {
  return join(dir, `.${name}${TEMP_MARK}${process.pid}-${++counter}`);
}

export function isTempVolume(file: string): boolean {
  return file.startsWith('.') && file.includes(TEMP_MARK);
}

/** Removes what interrupted creations left in `dir`; returns their names. */
export async function removeTempVolumes(dir: string): Promise<string[]> {
  const temps = (await readdir(dir)).filter(isTempVolume);
  await Promise.all(temps.map((f) => unlink(join(dir, f)).catch(() => undefined)));
  return temps;
}

/**
 * A raw file of `capacity` bytes with `allocation` bytes really allocated (libvirt's
 * virStorageBackendCreateRaw: fallocate the allocation, then set the length).
 */
export async function createRawFile(path: string, capacity: number, allocation: number, mode = 0o600,
  run: ToolRunner = runTool): Promise<void> {
  const fd = await open(path, 'wx', mode);
  try {
    await fd.truncate(capacity);
  } finally {
    await fd.close();
  }
  const alloc = Math.min(allocation, capacity);
  if (alloc > 0) await run('fallocate', ['-l', String(alloc), path]);
}

/** Moves the finished temp file to its name; refuses (VOLUME_EXISTS) to replace an existing file. */
export async function publishVolume(temp: string, path: string): Promise<void> {
  try {
    // link + unlink rather than rename: rename would silently replace a file created meanwhile.
    await link(temp, path);
  } catch (e) {
    if (!linkRefused(e, path)) throw fileError(`cannot create volume ${path}`, e);
    await rename(temp, path);
    return;
  }
  await unlink(temp);
}

/**
 * publishVolume on the main thread (linkSync, unlinkSync): two metadata calls of microseconds on a
 * local file system instead of two thread-pool round trips (~0.15-0.2 ms each under load,
 * docs/bench.md). For local file systems only: a hung network mount would stall the daemon.
 */
export function publishVolumeNow(temp: string, path: string): void {
  try {
    linkSync(temp, path);
  } catch (e) {
    if (!linkRefused(e, path)) throw fileError(`cannot create volume ${path}`, e);
    renameSync(temp, path);
    return;
  }
  unlinkSync(temp);
}

/** A link(2) that failed: VOLUME_EXISTS for a taken name, true where the file system has no hard links (rename then). */
function linkRefused(e: unknown, path: string): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') {
    throw new VirtkitError('VOLUME_EXISTS', `cannot create volume ${path}: a file of that name appeared meanwhile`, { details: { path } });
  }
  return code === 'EPERM' || code === 'ENOTSUP';
}

export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw fileError(`cannot delete ${path}`, e);
  }
}

export function fileError(what: string, e: unknown): VirtkitError {
  if (e instanceof VirtkitError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new VirtkitError(isNoSpace(msg) ? 'NO_SPACE' : 'IO_ERROR', `${what}: ${msg}`, { cause: e });
}
