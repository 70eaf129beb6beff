import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtkitError } from '../errors.js';
import { downloadRange, uploadRange } from './volume-range.js';

const raw = { name: 'a.raw', format: 'raw', capacity: 1000, fileSize: 1000 };
const qcow2 = { name: 'b.qcow2', format: 'qcow2', capacity: 1 << 30, fileSize: 196_608 };
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return e instanceof VirtkitError ? e.code : 'not a VirtkitError';
  }
  return 'no error';
};

describe('volume upload and download ranges', () => {
  it('lets a raw upload fill the volume exactly and refuses one byte more', () => {
    assert.deepEqual(uploadRange(raw, 0, 1000), { offset: 0, length: 1000 });
    assert.deepEqual(uploadRange(raw, 600, 400), { offset: 600, length: 400 });
    assert.equal(code(() => uploadRange(raw, 600, 401)), 'VOLUME_RANGE_INVALID');
    assert.equal(code(() => uploadRange(raw, 0, 1001)), 'VOLUME_RANGE_INVALID');
  });

  it('lets a qcow2 upload grow the image file but not start past its end', () => {
    assert.deepEqual(uploadRange(qcow2, 0, 10_000_000), { offset: 0, length: 10_000_000 });
    assert.deepEqual(uploadRange(qcow2, 196_608, 5), { offset: 196_608, length: 5 });
    assert.equal(code(() => uploadRange(qcow2, 196_609, 5)), 'VOLUME_RANGE_INVALID');
  });

  it('reads to the end of the file when the length is 0, absent or too long', () => {
    assert.deepEqual(downloadRange(raw, 0, undefined), { offset: 0, length: 1000 });
    assert.deepEqual(downloadRange(raw, 100, 0), { offset: 100, length: 900 });
    assert.deepEqual(downloadRange(raw, 100, 50), { offset: 100, length: 50 });
    assert.deepEqual(downloadRange(raw, 900, 500), { offset: 900, length: 100 });
    assert.deepEqual(downloadRange(raw, 1000, undefined), { offset: 1000, length: 0 });
    assert.equal(code(() => downloadRange(raw, 1001, undefined)), 'VOLUME_RANGE_INVALID');
    assert.deepEqual(downloadRange(qcow2, 0, undefined), { offset: 0, length: 196_608 });
  });
});
