/**
 * Real sizes: a pool's capacity and free space from statfs(2) of its target,
 * a file's allocation from its allocated blocks (st_blocks * 512), not its
 * length, as libvirt reports them.
 */
import { stat, statfs } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';

export interface PoolSpace {
  readonly capacity: number;
  readonly allocation: number;
  readonly available: number;
}

export async function fsSpace(dir: string): Promise<PoolSpace> {
  try {
    const s = await statfs(dir);
    // libvirt: capacity = blocks * frsize, available = bavail * frsize, allocation = (blocks - bfree) * frsize.
    return {
      capacity: s.blocks * s.bsize,
      allocation: (s.blocks - s.bfree) * s.bsize,
      available: s.bavail * s.bsize,
    };
  } catch (e) {
    throw new VirtkitError('IO_ERROR', `cannot read the free space of ${dir}: ${(e as Error).message}`, { cause: e });
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
  const s = await stat(path);
  return {
    length: s.size, allocation: s.blocks * 512,
    isFile: s.isFile(), isDirectory: s.isDirectory(), isBlockDevice: s.isBlockDevice(),
  };
}
