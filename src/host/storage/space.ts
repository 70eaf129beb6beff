/**
 * Real sizes: a pool's capacity and free space from statfs(2) of its target,
 * a file's allocation from its allocated blocks (st_blocks * 512), not its
 * length, as libvirt reports them.
 */
import { statSync, statfsSync, type StatsFs } from 'node:fs';
import { stat, statfs } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';

export interface PoolSpace {
  readonly capacity: number;
  readonly allocation: number;
  readonly available: number;
}

// libvirt: capacity = blocks * frsize, available = bavail * frsize, allocation = (blocks - bfree) * frsize.
function spaceOf(s: StatsFs): PoolSpace {
  return { capacity: s.blocks * s.bsize, allocation: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize };
}

function spaceError(dir: string, e: unknown): VirtkitError {
  return new VirtkitError('IO_ERROR', `cannot read the free space of ${dir}: ${(e as Error).message}`, { cause: e });
}

export async function fsSpace(dir: string): Promise<PoolSpace> {
  try {
    return spaceOf(await statfs(dir));
  } catch (e) {
    throw spaceError(dir, e);
  }
}

/** fsSpace on the main thread (statfsSync): for local file systems only, where it costs microseconds. */
export function fsSpaceNow(dir: string): PoolSpace {
  try {
    return spaceOf(statfsSync(dir));
  } catch (e) {
    throw spaceError(dir, e);
  }
}

export interface FileSizes {
  /** Length of the file (a raw volume's capacity). */
  readonly length: number;
  /** Bytes really allocated on disk. */
  readonly allocation: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isBlockDevice: boolean;
}

export async function fileSizes(path: string): Promise<FileSizes> {
  return sizesOf(await stat(path));
}

/** fileSizes on the main thread (statSync): for local file systems only. */
export function fileSizesNow(path: string): FileSizes {
  return sizesOf(statSync(path));
}

/**
 * fileSizesNow, or undefined when nothing has that name (ENOENT): without the exception, whose
 * making (an errno error with its stack) was most of a free name's check (docs/bench.md).
 */
export function entrySizesNow(path: string): FileSizes | undefined {
  const s = statSync(path, { throwIfNoEntry: false });
  return s === undefined ? undefined : sizesOf(s);
}

function sizesOf(s: { size: number; blocks: number; isFile(): boolean; isDirectory(): boolean; isBlockDevice(): boolean }): FileSizes {
  return {
    length: s.size, allocation: s.blocks * 512,
    isFile: s.isFile(), isDirectory: s.isDirectory(), isBlockDevice: s.isBlockDevice(),
  };
}
