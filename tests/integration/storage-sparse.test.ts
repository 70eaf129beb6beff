/**
 * vol-upload --sparse and vol-download --sparse (CLI in-process, real daemon): a 64 MiB file with
 * 1 MiB of data in three places uploaded over a volume full of other data reads back identical and
 * the volume holds about 1 MiB (st_blocks); downloaded with --sparse the local file is identical
 * and holds about 1 MiB too. Without --sparse both hold the full 64 MiB (the control: the check
 * can fail).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seeded } from '../helpers/seeded-random.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const MiB = 1 << 20;
const allocated = (path: string) => statSync(path).blocks * 512;

/** 64 MiB, holes but for 512 KiB at 3 MiB, 256 KiB at 40 MiB and the last 256 KiB. */
async function sparseFile(path: string): Promise<void> {
  const rnd = seeded(64);
  const fh = await open(path, 'w');
  try {
    await fh.truncate(64 * MiB);
    await fh.write(Buffer.from(rnd(512 << 10)), 0, 512 << 10, 3 * MiB);
    await fh.write(Buffer.from(rnd(256 << 10)), 0, 256 << 10, 40 * MiB);
    await fh.write(Buffer.from(rnd(256 << 10)), 0, 256 << 10, 64 * MiB - (256 << 10));
  } finally {
    await fh.close();
  }
}

describe('vol-upload and vol-download --sparse', { timeout: 120_000 }, () => {
  it('keep holes in the volume and in the local file, with identical bytes', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const src = join(d.root, 'sparse.bin');
      await sparseFile(src);
      assert.ok(allocated(src) <= 1 * MiB + 64 * 1024, `the source itself is sparse (${allocated(src)})`);
      const dense = join(d.root, 'dense.bin');
      await writeFile(dense, Buffer.from(seeded(9)(64 * MiB)));
      const vol = join(d.layout.imagesDir, 's.raw');
      assert.equal((await vk('vol-create-as', 'default', 's.raw', '64M')).code, 0);

      // Control: a plain upload of the sparse file allocates it all.
      assert.equal((await vk('vol-upload', 's.raw', src, '--pool', 'default')).code, 0);
      assert.ok(allocated(vol) >= 64 * MiB, `a plain upload allocates everything (${allocated(vol)})`);
      // The volume full of other data, then the sparse upload over it.
      assert.equal((await vk('vol-upload', 's.raw', dense, '--pool', 'default')).code, 0);
      const up = await vk('vol-upload', 's.raw', src, '--pool', 'default', '--sparse');
      assert.deepEqual([up.code, up.stderr], [0, '']);
      assert.ok((await readFile(vol)).equals(await readFile(src)), 'the volume reads as the file');
      assert.ok(allocated(vol) <= 1 * MiB + 64 * 1024, `the volume holds about 1 MiB (${allocated(vol)})`);
      assert.equal(statSync(vol).size, 64 * MiB);

      const plain = join(d.root, 'plain.bin');
      assert.equal((await vk('vol-download', 's.raw', plain, '--pool', 'default')).code, 0);
      assert.ok(allocated(plain) >= 64 * MiB, `a plain download allocates everything (${allocated(plain)})`);
      const out = join(d.root, 'out.bin');
      await writeFile(out, Buffer.alloc(80 * MiB, 1)); // an existing, larger file is replaced
      const down = await vk('--json', 'vol-download', 's.raw', out, '--pool', 'default', '--sparse');
      assert.equal(down.code, 0, down.stderr);
      assert.deepEqual(JSON.parse(down.stdout), { volume: 's.raw', file: out, offset: 0, bytes: 64 * MiB });
      assert.ok((await readFile(out)).equals(await readFile(src)), 'the download reads as the file');
      assert.ok(allocated(out) <= 1 * MiB + 64 * 1024, `the download holds about 1 MiB (${allocated(out)})`);

      // A range: --offset/--length with --sparse, a hole at the end of the local file kept.
      const part = join(d.root, 'part.bin');
      assert.equal((await vk('vol-download', 's.raw', part, '--pool', 'default', '--sparse', '--offset', String(3 * MiB), '--length', String(8 * MiB))).code, 0);
      assert.equal(statSync(part).size, 8 * MiB);
      assert.ok((await readFile(part)).equals((await readFile(src)).subarray(3 * MiB, 11 * MiB)));
      assert.ok(allocated(part) <= 512 * 1024 + 64 * 1024, `the range holds its 512 KiB (${allocated(part)})`);

      // A qcow2 volume's file may grow: a source ending in zeros past its end still gives its length.
      const image = join(d.root, 'img.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '16M']);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x77 0 1M', image]);
      execFileSync('truncate', ['-s', `+${2 * MiB}`, image]);
      assert.equal((await vk('vol-create-as', 'default', 'q.qcow2', '1M', '--format', 'qcow2')).code, 0);
      assert.equal((await vk('vol-upload', 'q.qcow2', image, '--pool', 'default', '--sparse')).code, 0);
      const q = join(d.layout.imagesDir, 'q.qcow2');
      assert.equal(statSync(q).size, statSync(image).size);
      assert.ok((await readFile(q)).equals(await readFile(image)));
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'read -P 0x77 0 1M', q]);
    } finally {
      await d.close();
    }
  });
});
