/**
 * vol-download --sparse: the received bytes go into the local file with their zero blocks left
 * as holes (core/storage/data-spans.ts): only data blocks are written, at their offsets, and the
 * file is then given its full length, so it reads back byte for byte as the volume's range but
 * holds only the blocks with data. The file was just created or truncated: every skipped block
 * is a hole.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { dataSpans } from '../core/storage/data-spans.js';

/** Writes `source` into `fh` from byte 0, zero blocks as holes; the number of bytes received. */
export async function writeSparse(source: Readable, fh: FileHandle, total: number, onProgress?: (done: number, total: number) => void): Promise<number> {
  let done = 0;
  for await (const chunk of source) {
    const c = chunk as Buffer;
    for (const s of dataSpans(c, done)) {
      let n = 0;
      while (n < s.end - s.start) n += (await fh.write(c, s.start + n, s.end - s.start - n, done + s.start + n)).bytesWritten;
    }
    done += c.length;
    onProgress?.(done, total);
  }
  // A trailing hole: the length the data left short.
  await fh.truncate(done);
  return done;
}
