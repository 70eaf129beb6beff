import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seeded } from '../../../tests/helpers/seeded-random.js';
import { dataSpans } from './data-spans.js';

test('zero blocks are holes, data blocks merge, blocks align to the file', () => {
  const b = Buffer.alloc(16);
  assert.deepEqual(dataSpans(b, 0, 4), []);
  b[5] = 1;
  b[13] = 1;
  assert.deepEqual(dataSpans(b, 0, 4), [{ start: 4, end: 8 }, { start: 12, end: 16 }]);
  b[9] = 1;
  assert.deepEqual(dataSpans(b, 0, 4), [{ start: 4, end: 16 }]);
  // The same bytes two bytes into the file: blocks are [0,2) [2,6) [6,10) [10,14) [14,16) of the buffer.
  assert.deepEqual(dataSpans(b, 2, 4), [{ start: 2, end: 14 }]);
  assert.deepEqual(dataSpans(Buffer.alloc(0), 0), []);
});

test('the spans carry every non-zero byte and nothing but whole zero blocks is left out', () => {
  const rnd = seeded(7);
  for (let i = 0; i < 200; i++) {
    const len = (rnd(1)[0] as number) * 40;
    const b = Buffer.from(rnd(len).map((x) => (x < 230 ? 0 : x)));
    const off = (rnd(1)[0] as number) % 16;
    const spans = dataSpans(b, off, 16);
    const copy = Buffer.alloc(len);
    for (const s of spans) b.copy(copy, s.start, s.start, s.end);
    assert.ok(copy.equals(b), `case ${i}`);
    for (const [j, s] of spans.entries()) {
      assert.ok(s.start < s.end);
      if (j > 0) assert.ok((spans[j - 1]?.end ?? 0) < s.start, 'adjacent spans are merged');
    }
  }
});
