/**
 * A sparse upload (vol-upload --sparse): the target range is first made a hole in one step
 * (`fallocate --punch-hole`, so it reads as zeros and holds no blocks), then only the blocks of
 * the source that hold data are written (core/storage/data-spans.ts); the zero blocks stay holes.
 * The bytes read back are exactly the source's, and the file keeps its length. Then fsync'ed.
 * Unlike a plain upload, one that fails midway leaves the rest of its range reading as zeros
 * (the hole was punched first), not as it was.
 */
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { VirtkitError } from '../../core/errors.js';
import { dataSpans } from '../../core/storage/data-spans.js';
import type { ByteRange } from '../../core/storage/volume-range.js';
import { fileError } from './volume-files.js';
import { runTool, type ToolRunner } from './tool.js';

/** Writes `range.length` bytes of `source` at `range.offset`, keeping its zero blocks as holes; the bytes taken. */
export async function writeVolumeRangeSparse(path: string, range: ByteRange, source: Readable, run: ToolRunner = runTool): Promise<number> {
  const fh = await open(path, 'r+').catch((e: unknown) => {
    throw fileError(`cannot open ${path} for writing`, e);
  });
  let taken = 0;
  try {
    if (range.length > 0) await run('fallocate', ['--punch-hole', '--offset', String(range.offset), '--length', String(range.length), path]);
    try {
      for await (const chunk of source) {
        const c = chunk as Buffer;
        if (taken + c.length > range.length) throw new Error(`the source has more than ${range.length} bytes`);
        const at = range.offset + taken;
        for (const s of dataSpans(c, at)) {
          let n = 0;
          while (n < s.end - s.start) {
            const w = (await fh.write(c, s.start + n, s.end - s.start - n, at + s.start + n)).bytesWritten;
            if (w === 0) throw new VirtkitError('NO_SPACE', `no room left to write ${path}`);
            n += w;
          }
        }
        taken += c.length;
      }
    } catch (e) {
      if (e instanceof VirtkitError) throw e;
      throw new VirtkitError('IO_ERROR', `sparse upload to ${path} stopped after ${taken} of ${range.length} bytes: ${(e as Error).message}; ` +
        'the rest of the range reads as zeros (it was made a hole first)', { details: { path, written: taken, expected: range.length }, cause: e });
    }
    if (taken !== range.length) {
      throw new VirtkitError('IO_ERROR', `sparse upload to ${path} ended after ${taken} of ${range.length} bytes`, { details: { path, written: taken, expected: range.length } });
    }
    // A trailing hole past the old end (a file that may grow: not raw) still makes the file that long.
    const end = range.offset + range.length;
    if ((await fh.stat()).size < end) await fh.truncate(end);
    await fh.sync();
    return taken;
  } catch (e) {
    throw fileError(`cannot write ${path} (${taken} of ${range.length} bytes taken at offset ${range.offset})`, e);
  } finally {
    await fh.close().catch(() => undefined);
  }
}
