/**
 * Volume content in and out as streams (vol-upload, vol-download). An upload
 * writes into the volume's file in place, as libvirt does: opened without
 * O_TRUNC, written from `offset` as the source's chunks arrive (backpressure:
 * the source is read only as fast as the disk takes it), then fsync'ed, so that success means the bytes are on disk. A source that
 * ends early or fails leaves the file's length and every byte outside the
 * written prefix as they were, and rejects.
 */
import { open } from 'node:fs/promises';
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { VirtkitError } from '../../core/errors.js';
import type { ByteRange } from '../../core/storage/volume-range.js';
import { fileError } from './volume-files.js';
import { sendFileRange } from './volume-send.js';

/** Large chunks: fewer syscalls and event-loop turns per MiB. */
const CHUNK = 1 << 20;
const SYNC_EVERY = 32 << 20;

/**
 * Writes exactly `range.length` bytes of `source` at `range.offset`; returns the bytes written.
 * The chunks go to pwritev(2) as they come (no copy), gathered into batches of about 1 MiB with
 * one batch in flight while the next is read. Not fs.WriteStream: a write that completes after
 * the stream is destroyed (the source failed) is not counted in its bytesWritten, and the count
 * of bytes really in place is what an interrupted upload must report.
 */
export async function writeVolumeRange(path: string, range: ByteRange, source: Readable): Promise<number> {
  const fh = await open(path, 'r+').catch((e: unknown) => {
    throw fileError(`cannot open ${path} for writing`, e);
  });
  let written = 0;
  // A failed write or fdatasync is kept here (its promise never rejects: nothing may be left
  // unhandled while the loop waits for the source) and thrown at the next batch or the end.
  let diskError: unknown;
  const keep = (e: unknown): void => {
    diskError ??= e;
  };
  let inFlight: Promise<void> = Promise.resolve();
  // Every SYNC_EVERY bytes an fdatasync starts (not waited for): the disk writes back while the
  // next bytes arrive, instead of all of it in the final fsync.
  let syncing: Promise<void> = Promise.resolve();
  let unsynced = 0;
  const write = async (batch: Buffer[], at: number): Promise<void> => {
    let n = (await fh.writev(batch, at)).bytesWritten;
    written += n;
    unsynced += n;
    const total = batch.reduce((sum, b) => sum + b.length, 0);
    if (n === total) return;
    // A short write (rare: a signal, a full disk) continues from where it stopped.
    const whole = Buffer.concat(batch);
    while (n < whole.length) {
      const more = (await fh.write(whole, n, whole.length - n, at + n)).bytesWritten;
      if (more === 0) throw new VirtkitError('NO_SPACE', `no room left to write ${path}`);
      n += more;
      written += more;
    }
  };
  const flush = async (batch: Buffer[]): Promise<void> => {
    await inFlight;
    if (diskError !== undefined) throw diskError;
    if (unsynced >= SYNC_EVERY) {
      unsynced = 0;
      syncing = syncing.then(() => fh.datasync()).catch(keep);
    }
    inFlight = write(batch, range.offset + written).catch(keep);
  };
  try {
    try {
      let batch: Buffer[] = [];
      let size = 0;
      let received = 0;
      // 'data' events, the source paused while a full batch waits for the one in flight: not
      // `for await`, whose promise per 64 KiB chunk cost ~20% more daemon CPU (docs/bench.md).
      source.on('data', (c: Buffer) => {
        received += c.length;
        if (received > range.length) {
          source.destroy(new Error(`the source has more than ${range.length} bytes`));
          return;
        }
        batch.push(c);
        size += c.length;
        if (size < CHUNK) return;
        const full = batch;
        batch = [];
        size = 0;
        source.pause();
        flush(full).then(() => source.resume(), (e: unknown) => source.destroy(e as Error));
      });
      await finished(source);
      if (size > 0) await flush(batch);
      await inFlight;
      await syncing;
      if (diskError !== undefined) throw diskError;
    } catch (e) {
      // Whatever write is under way still lands: wait for it, so that `written` counts it.
      await inFlight;
      await syncing;
      if (diskError !== undefined) throw diskError;
      throw new VirtkitError('IO_ERROR', `upload to ${path} stopped after ${written} of ${range.length} bytes: ${(e as Error).message}; ` +
        'the bytes written so far stay in place (the rest of the volume is unchanged)', { details: { path, written, expected: range.length }, cause: e });
    }
    if (written !== range.length) {
      throw new VirtkitError('IO_ERROR', `upload to ${path} ended after ${written} of ${range.length} bytes`, {
        details: { path, written, expected: range.length },
      });
    }
    await fh.sync();
    return written;
  } catch (e) {
    throw fileError(`cannot write ${path} (${written} of ${range.length} bytes written at offset ${range.offset})`, e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** Sends a range of a volume's file into a stream (sendFileRange); the file was opened before, so a volume deleted meanwhile still reads whole. */
export type RangeSender = (out: Writable) => Promise<number>;

/** Opens the file now; the sender sends `range` of it once (closing the file after). */
export async function readVolumeRange(path: string, range: ByteRange): Promise<RangeSender> {
  const fh = await open(path, 'r').catch((e: unknown) => {
    throw fileError(`cannot open ${path} for reading`, e);
  });
  return async (out) => {
    try {
      return await sendFileRange(fh, range, out);
    } finally {
      await fh.close().catch(() => undefined);
    }
  };
}
