// vol-download's sender on a real file: the exact bytes of a range that spans several of its
// buffers, into a receiver that takes its time (its write callbacks run late, so the buffers are
// only read into again once handed over); a receiver that goes away mid-range and a file shorter
// than the range both reject instead of hanging or sending wrong bytes.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { sendFileRange } from './volume-send.js';

const MiB = 1 << 20;
let dir = '';
let file = '';
const data = randomBytes(13 * MiB + 12345);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vk-send-'));
  file = join(dir, 'v.raw');
  await writeFile(file, data);
});
after(() => rm(dir, { recursive: true, force: true }));

/**
 * A receiver that calls back only on a later turn of the event loop, and copies what it took just
 * then: a buffer read into again before its callback would show here as wrong bytes.
 */
function slowSink(got: Buffer[], failAt?: number): Writable {
  let n = 0;
  const w: Writable = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, cb) {
      n += chunk.length;
      if (failAt !== undefined && n >= failAt) {
        setImmediate(() => w.destroy());
        return;
      }
      setTimeout(() => {
        got.push(Buffer.from(chunk));
        cb();
      }, 1);
    },
  });
  return w;
}

test('sends exactly the bytes of the range, whole and from an offset, through its reused buffers', async () => {
  const fh = await open(file, 'r');
  try {
    for (const [offset, length] of [[0, data.length], [7 * MiB + 3, 5 * MiB + 1000], [100, 1], [0, 0]] as const) {
      const got: Buffer[] = [];
      const sink = slowSink(got);
      assert.equal(await sendFileRange(fh, { offset, length }, sink), length);
      assert.ok(Buffer.concat(got).equals(data.subarray(offset, offset + length)), `bytes of ${offset}+${length}`);
    }
  } finally {
    await fh.close();
  }
});

test('rejects when the receiver goes away mid-range, and when the file ends before the range does', async () => {
  const fh = await open(file, 'r');
  try {
    await assert.rejects(sendFileRange(fh, { offset: 0, length: data.length }, slowSink([], 5 * MiB)), /went away|destroyed/);
    await assert.rejects(sendFileRange(fh, { offset: 10 * MiB, length: 8 * MiB }, slowSink([])),
      /the file ended after 3158073 of 8388608 bytes/);
  } finally {
    await fh.close();
  }
});
