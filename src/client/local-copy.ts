/**
 * The copy of vol-upload / vol-download's local fast path (volume-lease.ts): bytes from one open
 * file into another, in this process, without a socket between. Reads run ahead into a few large
 * reused buffers while the writes go out one after the other, in order (so that a copy cut short
 * has written a prefix of its range, as a streaming upload has), an fdatasync of the target starts
 * in the background every SYNC_EVERY bytes (the disk writes back while the copy goes on), and the
 * target is fsync'ed at the end: the copy resolves only once its bytes are on disk. A download's new
 * file may be written with O_DIRECT (CopyEnds.buffered): no page cache to allocate for it.
 * Measured against other sizes and a plain read-then-write loop: docs/bench.md, bench/storage,
 * "Pass of stop 17".
 */
import type { FileHandle } from 'node:fs/promises';

const BUFFER = 4 << 20;
const BUFFERS = 4;
const SYNC_EVERY = 32 << 20;

export interface CopyEnds {
  readonly from: FileHandle;
  readonly fromOffset: number;
  readonly to: FileHandle;
  readonly toOffset: number;
  /**
   * `to` was opened with O_DIRECT, `buffered` is the same file opened without it: blocks aligned to
   * DIRECT_ALIGN go to `to` from page-aligned buffers, any other block (the tail) and every block
   * after a direct write the kernel refused (EINVAL) to `buffered`. `buffered` is the one fsync'ed.
   */
  readonly buffered?: FileHandle;
}

/** Offsets and lengths of O_DIRECT writes: 4 KiB covers the logical block size of common disks. */
const DIRECT_ALIGN = 4096;

/**
 * Buffers for O_DIRECT: node has no aligned allocation, but a WebAssembly.Memory is reserved in
 * whole pages by V8 (page-aligned), so views into it at multiples of 4 MiB are aligned too.
 */
/** The one WebAssembly constructor used here (the project's TypeScript libs do not declare WebAssembly). */
declare const WebAssembly: { Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer } };

function alignedBuffers(count: number, size: number): Buffer[] {
  const mem = new WebAssembly.Memory({ initial: Math.ceil((count * size) / 65536) });
  return Array.from({ length: count }, (_, i) => Buffer.from(mem.buffer, i * size, size));
}

/** A copy that stopped: how many bytes of the range are in place (a prefix), and why. */
export class CopyStopped extends Error {
  constructor(message: string, readonly written: number, options?: { cause?: unknown }) {
    super(message, options);
  }
}

async function writeAll(to: FileHandle, buf: Buffer, n: number, at: number): Promise<void> {
  let done = 0;
  while (done < n) {
    const w = (await to.write(buf, done, n - done, at + done)).bytesWritten;
    if (w === 0) throw new Error(`no room left to write (${done} of ${n} bytes of a block written)`);
    done += w;
  }
}

/**
 * Copies `length` bytes; calls `onProgress` with the bytes written so far after each block.
 * Throws CopyStopped (with the prefix written) when a read or write fails or the source ends early.
 */
export async function copyRange(ends: CopyEnds, length: number, onProgress?: (done: number) => void): Promise<number> {
  const size = Math.max(1, Math.min(BUFFER, length));
  const count = Math.min(BUFFERS, Math.max(1, Math.ceil(length / size)));
  const free: Buffer[] = ends.buffered ? alignedBuffers(count, BUFFER) : Array.from({ length: count }, () => Buffer.allocUnsafeSlow(size));
  const synced = ends.buffered ?? ends.to;
  let direct = ends.buffered !== undefined;
  /** Writes a block: direct where it is aligned (and the kernel takes it), else buffered. */
  const put = async (buf: Buffer, n: number, at: number): Promise<void> => {
    if (direct && ends.buffered && at % DIRECT_ALIGN === 0 && n % DIRECT_ALIGN === 0) {
      try {
        return await writeAll(ends.to, buf, n, at);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
        direct = false;
      }
    }
    await writeAll(synced, buf, n, at);
  };
  let written = 0;
  let failed: unknown;
  let writing: Promise<void> = Promise.resolve();
  let syncing: Promise<void> = Promise.resolve();
  let unsynced = 0;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  try {
    let read = 0;
    while (read < length && failed === undefined) {
      while (free.length === 0 && failed === undefined) await new Promise<void>((r) => { wake = r; });
      if (failed !== undefined) break;
      const buf = free.pop() as (typeof free)[number];
      const at = read;
      const { bytesRead } = await ends.from.read(buf, 0, Math.min(buf.length, length - read), ends.fromOffset + read);
      if (bytesRead === 0) throw new Error(`the source ended after ${read} of ${length} bytes`);
      read += bytesRead;
      // Each write waits for the one before it: in order, one at a time, while the next read runs.
      writing = writing.then(async () => {
        if (failed !== undefined) return;
        try {
          await put(buf, bytesRead, ends.toOffset + at);
        } catch (e) {
          failed = e;
          return;
        } finally {
          free.push(buf);
          poke();
        }
        written += bytesRead;
        unsynced += bytesRead;
        onProgress?.(written);
        if (unsynced >= SYNC_EVERY) {
          unsynced = 0;
          syncing = syncing.then(() => synced.datasync()).catch((e: unknown) => { failed ??= e; });
        }
      });
    }
    await writing;
    await syncing;
    if (failed !== undefined) throw failed;
    await synced.sync();
    return written;
  } catch (e) {
    await writing;
    await syncing;
    throw new CopyStopped(`${(e as Error).message} (${written} of ${length} bytes written)`, written, { cause: e });
  }
}
