/**
 * The host's volume writer on a real file system: a write that runs out of space (a 1 MiB tmpfs
 * under a sparse 4 MiB file) is NO_SPACE with the count of bytes in place, not a crash or an
 * unhandled rejection while the writer waits for the source; and a source with more bytes than
 * announced is refused. Needs root (mount); the tmpfs is unmounted and removed after.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { writeVolumeRange } from '../../../src/host/storage/volume-stream.js';

const MiB = 1 << 20;
const root = process.getuid?.() === 0;

describe('writeVolumeRange on a real file system', { skip: root ? false : 'needs root to mount a tmpfs' }, () => {
  it('answers NO_SPACE with what was written when the file system fills up', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vk-vs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1M', 'tmpfs', dir]);
    try {
      const f = join(dir, 'v.raw');
      await writeFile(f, '');
      await truncate(f, 4 * MiB);
      const chunks = Array.from({ length: 4 }, (_, i) => Buffer.alloc(MiB, i + 1));
      await assert.rejects(writeVolumeRange(f, { offset: 0, length: 4 * MiB }, Readable.from(chunks)), (e: unknown) => {
        assert.ok(e instanceof VirtkitError);
        assert.equal(e.code, 'NO_SPACE');
        assert.match(e.message, /^cannot write .*v\.raw \(\d+ of 4194304 bytes written at offset 0\): /);
        return true;
      });
      await assert.rejects(writeVolumeRange(f, { offset: 0, length: 10 }, Readable.from([Buffer.alloc(11)])),
        (e: unknown) => e instanceof VirtkitError && e.code === 'IO_ERROR' && /the source has more than 10 bytes/.test(e.message));
    } finally {
      execFileSync('umount', [dir]);
      await rm(dir, { recursive: true });
    }
  });
});
