/**
 * Sizes a huge page pool through sysfs (virsh allocpages; libvirt's virNumaSetPagePoolSize):
 * one NUMA node's pool (sys/devices/system/node/nodeN/hugepages/hugepages-SIZEkB/nr_hugepages)
 * or, without a node, the host's (sys/kernel/mm/hugepages/...), under a root that tests point
 * at a fake tree. The kernel may give fewer pages than asked (memory too fragmented): the
 * count is read back, and a shortfall puts the previous size back and is refused with
 * HUGEPAGES_SHORT, so that a failed request changes nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';

export interface PagePoolRequest {
  readonly sizeKiB: number;
  readonly count: number;
  /** A NUMA node; the host's pool when absent. */
  readonly node?: number;
  /** Add `count` pages to the pool rather than set its size. */
  readonly add?: boolean;
}

/** The file operations, injectable: a plain file cannot act as the kernel giving fewer pages than asked. */
export interface PoolFileIo {
  read(file: string): Promise<string>;
  write(file: string, text: string): Promise<void>;
}

const fsIo: PoolFileIo = { read: (f) => readFile(f, 'utf8'), write: (f, t) => writeFile(f, t) };

export interface PagePoolResult {
  readonly previous: number;
  readonly total: number;
}

function poolFile(root: string, r: PagePoolRequest): string {
  const dir = r.node === undefined ? 'sys/kernel/mm/hugepages' : `sys/devices/system/node/node${r.node}/hugepages`;
  return join(root, dir, `hugepages-${r.sizeKiB}kB`, 'nr_hugepages');
}

function ioError(what: string, file: string, e: unknown): VirtkitError {
  const err = e as NodeJS.ErrnoException;
  const hint = err.code === 'EACCES' || err.code === 'EPERM' ? ' (sizing a huge page pool needs root)' : '';
  return new VirtkitError('IO_ERROR', `cannot ${what} ${file}: ${err.message}${hint}`, { cause: e, details: { file } });
}

export async function setPagePool(root: string, r: PagePoolRequest, io: PoolFileIo = fsIo): Promise<PagePoolResult> {
  const file = poolFile(root, r);
  const where = r.node === undefined ? 'the host' : `NUMA node ${r.node}`;
  let text: string;
  try {
    text = await io.read(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new VirtkitError('INVALID_ARGUMENT', `page size ${r.sizeKiB}KiB is not available on ${where} (no ${file})`,
        { details: { pageSizeKiB: r.sizeKiB, ...(r.node === undefined ? {} : { cell: r.node }) } });
    }
    throw ioError('read', file, e);
  }
  const previous = Number(text.trim());
  const wanted = r.add === true ? previous + r.count : r.count;
  const write = async (n: number): Promise<void> => {
    try {
      await io.write(file, `${n}\n`);
    } catch (e) {
      throw ioError('write', file, e);
    }
  };
  await write(wanted);
  const total = Number((await io.read(file)).trim());
  if (total !== wanted) {
    await write(previous);
    throw new VirtkitError('HUGEPAGES_SHORT',
      `unable to allocate ${wanted} pages of ${r.sizeKiB}KiB on ${where}: the kernel gave only ${total}; the pool is back to ${previous} pages`,
      { details: { pageSizeKiB: r.sizeKiB, wanted, allocated: total, previous, ...(r.node === undefined ? {} : { cell: r.node }) } });
  }
  return { previous, total };
}
