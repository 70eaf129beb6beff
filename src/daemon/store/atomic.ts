/**
 * Crash-safe file writes: a reader (or the daemon after a crash or kill -9)
 * sees either the old content or the new one, never a mix, and a file that
 * rename() made visible survives a power cut.
 *   write: temp file in the same directory -> fsync -> rename -> fsync(dir)
 *          (run-time state: no fsync(dir), see AtomicWriteOptions)
 *   delete: unlink -> fsync(dir)
 * Temp files are hidden (`.NAME.tmp-PID-N`) so listings skip them, and
 * `removeTempFiles` deletes leftovers of interrupted writes at start-up.
 */
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';

let counter = 0;
const TEMP_MARK = '.tmp-';

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARK);
}

export async function ensureDir(dir: string, mode: number): Promise<void> {
  await mkdir(dir, { recursive: true, mode });
}

async function syncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

export interface AtomicWriteOptions {
  /**
   * false: the directory is not fsynced after the rename, as libvirt's virFileRewrite (which
   * writes its status XML): a process crash or kill -9 still finds the old or the new content,
   * a power cut may find the old one. For run-time state that does not outlive the host (the
   * domain status files: their guests die with it). Default true.
   */
  readonly syncDir?: boolean;
  /**
   * false: the file is not fsynced either (nor its directory): a process crash or kill -9 still finds
   * the old or the new content (rename is atomic; the page cache outlives the process), a power cut
   * may find either or none. For records of what only lives in the running kernel (a network's
   * bridge, table and dnsmasq), which a power cut takes away too. Default true.
   */
  readonly syncFile?: boolean;
}

export async function writeFileAtomic(dir: string, name: string, data: string, mode = 0o600, opts: AtomicWriteOptions = {}): Promise<void> {
  const temp = join(dir, `.${name}${TEMP_MARK}${process.pid}-${++counter}`);
  try {
    const fd = await open(temp, 'wx', mode);
    try {
      await fd.writeFile(data);
      if (opts.syncFile !== false) await fd.sync();
    } finally {
      await fd.close();
    }
    await rename(temp, join(dir, name));
    if (opts.syncDir !== false && opts.syncFile !== false) await syncDir(dir);
  } catch (e) {
    await unlink(temp).catch(() => undefined);
    throw ioError(`cannot write ${join(dir, name)}`, e);
  }
}

/** Removes a file durably (unless `opts.syncDir` is false); a missing file is not an error. Returns whether it existed. */
export async function removeFileDurable(dir: string, name: string, opts: AtomicWriteOptions = {}): Promise<boolean> {
  try {
    await unlink(join(dir, name));
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw ioError(`cannot remove ${join(dir, name)}`, e);
  }
  if (opts.syncDir !== false && opts.syncFile !== false) await syncDir(dir);
  return true;
}

/** Names in `dir` (empty when it does not exist), temp files excluded. */
export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((n) => !isTempName(n));
  } catch (e) {
    if (errno(e) === 'ENOENT') return [];
    throw ioError(`cannot list ${dir}`, e);
  }
}

export async function removeTempFiles(dir: string): Promise<number> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if (errno(e) === 'ENOENT') return 0;
    throw ioError(`cannot list ${dir}`, e);
  }
  const temps = names.filter(isTempName);
  await Promise.all(temps.map((n) => unlink(join(dir, n)).catch(() => undefined)));
  return temps.length;
}

export function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined;
}

export function ioError(what: string, e: unknown): VirtkitError {
  if (e instanceof VirtkitError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new VirtkitError('IO_ERROR', `${what}: ${msg}`, { cause: e });
}
