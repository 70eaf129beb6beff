/**
 * The parts of a buffer that hold data, for sparse transfers (vol-upload and vol-download
 * --sparse): a block (aligned to the file, not to the buffer) that is all zeros is a hole and
 * need not be written; the rest is returned as spans to write, adjacent data blocks merged.
 * Pure: the caller's bytes and their offset in the file.
 */

/** The hole granularity: the page and file system block size of every file system virtkit pools use. */
export const SPARSE_BLOCK = 4096;

export interface Span {
  /** Offsets into the buffer, end exclusive. */
  readonly start: number;
  readonly end: number;
}

function allZero(b: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** The data spans of `buf`, whose first byte is at `fileOffset` in the file; zero blocks left out. */
export function dataSpans(buf: Uint8Array, fileOffset: number, block = SPARSE_BLOCK): Span[] {
  const spans: Span[] = [];
  let start = 0;
  while (start < buf.length) {
    // The block boundary after `start` in file terms.
    const end = Math.min(buf.length, start + block - ((fileOffset + start) % block));
    if (!allZero(buf, start, end)) {
      const last = spans.at(-1);
      if (last !== undefined && last.end === start) spans[spans.length - 1] = { start: last.start, end };
      else spans.push({ start, end });
    }
    start = end;
  }
  return spans;
}
