/**
 * vol-download's sending side: a range of a volume's file written into a
 * stream (the HTTP response) from a few large buffers that are read into
 * again once the stream has handed them to the kernel. Not fs.ReadStream:
 * it allocates a new buffer for every read, and that garbage (256 MiB of
 * it for a 256 MiB download) made the daemon, with its small young
 * generation, run a full mark-compact every ~30 MiB: a third of its CPU
 * during a download (docs/bench.md, bench/storage, pass of stop 16).
 */
import type { FileHandle } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { ByteRange } from '../../core/storage/volume-range.js';

/** Bytes per read and per write: few syscalls and thread-pool round trips per MiB. */
const BUFFER = 4 << 20;
/** Buffers per download: one being read into while the others are being written. */
const BUFFERS = 3;

/**
 * Writes the `range.length` bytes of `fh` at `range.offset` into `out`, at most BUFFERS buffers
 * held by `out` at a time (so a slow reader holds the file's reads back); resolves once `out`
 * has taken the last byte, rejects when `out` fails or closes first or the file ends early.
 * Leaves `fh` open and `out` unended.
 */
export async function sendFileRange(fh: FileHandle, range: ByteRange, out: Writable): Promise<number> {
  if (range.length === 0) return 0;
  const size = Math.min(BUFFER, range.length);
  const free = Array.from({ length: Math.min(BUFFERS, Math.ceil(range.length / size)) }, () => Buffer.allocUnsafeSlow(size));
  const all = free.length;
  let failed: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onClose = (): void => {
    failed ??= new Error(`the receiver went away after ${sent} of ${range.length} bytes`);
    poke();
  };
  const onError = (e: Error): void => {
    failed ??= e;
    poke();
  };
  /** Waits until `ok()` holds or `out` has failed; throws in the latter case. */
  const until = async (ok: () => boolean): Promise<void> => {
    while (!ok() && failed === undefined) await new Promise<void>((r) => { wake = r; });
    if (failed !== undefined) throw failed;
  };
  out.on('close', onClose);
  out.on('error', onError);
  let sent = 0;
  try {
    while (sent < range.length) {
      await until(() => free.length > 0);
      const buf = free.pop() as (typeof free)[number];
      const want = Math.min(buf.length, range.length - sent);
      const { bytesRead } = await fh.read(buf, 0, want, range.offset + sent);
      if (bytesRead === 0) throw new Error(`the file ended after ${sent} of ${range.length} bytes`);
      sent += bytesRead;
      // The callback runs once the bytes are with the kernel: only then is `buf` read into again.
      out.write(buf.subarray(0, bytesRead), (e) => {
        if (e) failed ??= e;
        else free.push(buf);
        poke();
      });
    }
    await until(() => free.length === all);
    return sent;
  } finally {
    out.off('close', onClose);
    out.off('error', onError);
  }
}
