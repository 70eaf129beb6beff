import assert from 'node:assert/strict';
import { test } from 'node:test';
import { plainFilename } from './live-disks.js';

test('a node\'s json: filename gives its image file (QEMU 7.2 after a relative backing name was written)', () => {
  assert.equal(plainFilename('/i/root.s3'), '/i/root.s3');
  const json = 'json:{"backing": {"driver": "qcow2", "file": {"driver": "file", "filename": "/i/root.s1"}}, "driver": "qcow2", "file": {"driver": "file", "filename": "/i/root.s3"}}';
  assert.equal(plainFilename(json), '/i/root.s3');
  assert.equal(plainFilename('json:{"driver": "file", "filename": "/i/a,b"}'), '/i/a,b');
  assert.equal(plainFilename('json:{not json'), 'json:{not json', 'left as it is when it does not parse');
});
