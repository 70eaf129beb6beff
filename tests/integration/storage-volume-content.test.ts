/**
 * vol-upload and vol-download through a real daemon (in process, the CLI in process):
 * random bytes round-trip whole and at an offset with a length, a raw volume refuses an
 * upload past its capacity, a qcow2 volume takes a qcow2 image file (as libvirt), the
 * progress bar shows only on a terminal, and an upload the client cuts short answers an
 * error and leaves the volume's length and every byte past the written prefix as they were.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { VirtkitClient } from '../../src/client/client.js';
import { run } from '../../src/cli/run.js';
import { VirtkitError } from '../../src/core/errors.js';
import { seeded } from '../helpers/seeded-random.js';
import { until } from '../helpers/wait.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const MiB = 1 << 20;
/** Byte equality without a diff of megabytes when it fails: the first differing offset instead. */
function sameBytes(actual: Buffer, expected: Buffer, what: string): void {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  assert.fail(`${what}: ${actual.length} bytes where ${expected.length} were expected, first difference at byte ${i}`);
}
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;

describe('vol-upload and vol-download (CLI, real daemon)', { timeout: 120_000 }, () => {
  it('round-trips random bytes, whole and at an offset with a length, and refuses a raw upload past the capacity', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const random = seeded(7);
      assert.equal((await vk('vol-create-as', 'default', 'v.raw', '8M')).code, 0);
      const vol = join(d.layout.imagesDir, 'v.raw');
      const data = Buffer.from(random(8 * MiB));
      await writeFile(join(d.root, 'in.bin'), data);
      assert.deepEqual(await vk('vol-upload', 'v.raw', 'in.bin', '--pool', 'default'), { code: 0, stdout: '\n', stderr: '' });
      sameBytes(await readFile(vol), data, 'the volume after the upload');
      assert.deepEqual(await vk('vol-download', 'v.raw', 'out.bin', '--pool', 'default'), { code: 0, stdout: '\n', stderr: '' });
      sameBytes(await readFile(join(d.root, 'out.bin')), data, 'the downloaded file');

      // 2 MiB in the file, --length 1M of it at 3 MiB: only that MiB changes.
      const patch = Buffer.from(random(2 * MiB));
      await writeFile(join(d.root, 'patch.bin'), patch);
      assert.equal((await vk('vol-upload', 'v.raw', 'patch.bin', '--pool', 'default', '--offset', String(3 * MiB), '--length', '1M')).code, 0);
      const expected = Buffer.concat([data.subarray(0, 3 * MiB), patch.subarray(0, MiB), data.subarray(4 * MiB)]);
      sameBytes(await readFile(vol), expected, 'the volume after the ranged upload');
      assert.equal((await vk('vol-download', vol, 'part.bin', '--offset', String(3 * MiB - 5), '--length', String(MiB + 10))).code, 0);
      sameBytes(await readFile(join(d.root, 'part.bin')), expected.subarray(3 * MiB - 5, 4 * MiB + 5), 'the ranged download');
      // A length past the end reads to the end, as virsh.
      assert.equal((await vk('vol-download', 'v.raw', 'tail.bin', '--pool', 'default', '--offset', String(7 * MiB), '--length', '5M')).code, 0);
      sameBytes(await readFile(join(d.root, 'tail.bin')), expected.subarray(7 * MiB), 'the download to the end');

      // One byte past the capacity of a raw volume: refused before a byte is written.
      assert.equal((await vk('vol-upload', 'v.raw', 'patch.bin', '--pool', 'default', '--offset', String(6 * MiB + 1))).code, 1);
      const refused = await vk('--json', 'vol-upload', 'v.raw', 'patch.bin', '--pool', 'default', '--offset', String(6 * MiB + 1));
      assert.equal(errCode(refused.stderr), 'VOLUME_RANGE_INVALID');
      const text = await vk('vol-download', 'v.raw', 'x.bin', '--pool', 'default', '--offset', String(9 * MiB));
      assert.equal(text.code, 1);
      assert.match(text.stderr, /^error: cannot download from volume v\.raw\nerror: volume 'v\.raw': offset 9437184 is past the end of its file \(8388608 bytes\)\n$/);
      sameBytes(await readFile(vol), expected, 'the volume after the refusals');
      assert.equal((await stat(vol)).size, 8 * MiB);
    } finally {
      await d.close();
    }
  });

  it('uploads a qcow2 image file into a qcow2 volume, which then reads as that image', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      assert.equal((await vk('vol-create-as', 'default', 'q.qcow2', '10M', '--format', 'qcow2')).code, 0);
      const image = join(d.root, 'img.qcow2');
      execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', image, '20M']);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 1M 2M', image], { stdio: 'ignore' });
      assert.equal((await vk('vol-upload', 'q.qcow2', image, '--pool', 'default')).code, 0);
      const info = JSON.parse((await vk('--json', 'vol-info', 'q.qcow2', '--pool', 'default')).stdout) as { capacity: number };
      assert.equal(info.capacity, 20 * MiB);
      const vol = join(d.layout.imagesDir, 'q.qcow2');
      const raw = join(d.root, 'q.raw');
      execFileSync('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', vol, raw]);
      sameBytes((await readFile(raw)).subarray(MiB, 3 * MiB), Buffer.alloc(2 * MiB, 0x5a), 'the image data');
      assert.equal((await vk('vol-download', 'q.qcow2', 'back.qcow2', '--pool', 'default')).code, 0);
      sameBytes(await readFile(join(d.root, 'back.qcow2')), await readFile(image), 'the downloaded image');
    } finally {
      await d.close();
    }
  });

  it('draws a progress bar on stderr only on a terminal and never with --json', async () => {
    const d = await inProcessDaemon();
    try {
      await writeFile(join(d.root, 'in.bin'), Buffer.from(seeded(3)(4 * MiB)));
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'p.raw', '4M'])).code, 0);
      const onTty = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await run(['--root', d.root, ...argv], {
          stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { PATH: process.env['PATH'] }, cwd: d.root, tty: true,
        });
        return { code, stdout, stderr };
      };
      const up = await onTty('vol-upload', 'p.raw', 'in.bin', '--pool', 'default');
      assert.equal(up.code, 0);
      assert.equal(up.stdout, '\n');
      assert.match(up.stderr, /^\rUploading p\.raw \[/);
      assert.match(up.stderr, /\rUploading p\.raw \[#{30}\] 100% 4\.00 MiB \/ 4\.00 MiB\n$/);
      const down = await onTty('vol-download', 'p.raw', 'out.bin', '--pool', 'default');
      assert.match(down.stderr, /\rDownloading p\.raw \[#{30}\] 100% 4\.00 MiB \/ 4\.00 MiB\n$/);
      const json = await onTty('--json', 'vol-download', 'p.raw', 'out.bin', '--pool', 'default');
      assert.equal(json.stderr, '');
      assert.deepEqual(JSON.parse(json.stdout), { volume: 'p.raw', file: join(d.root, 'out.bin'), offset: 0, bytes: 4 * MiB });
    } finally {
      await d.close();
    }
  });

  it('answers an error for an upload the client cuts short, and leaves the rest of the volume as it was', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: { PATH: process.env['PATH'] } });
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 't.raw', '8M'])).code, 0);
      const vol = join(d.layout.imagesDir, 't.raw');
      const old = Buffer.from(seeded(11)(8 * MiB));
      await client.uploadVolumeStream('default', 't.raw', Readable.from([old]), old.length);
      sameBytes(await readFile(vol), old, 'the volume before the cut upload');

      const fresh = Buffer.from(seeded(12)(8 * MiB));
      // 3 MiB of the 8 announced, then the source fails: the client gives up mid-body.
      async function* cut(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 3; i++) yield fresh.subarray(i * MiB, (i + 1) * MiB);
        throw new Error('source went away');
      }
      await assert.rejects(client.uploadVolumeStream('default', 't.raw', Readable.from(cut()), fresh.length),
        (e: unknown) => e instanceof VirtkitError && e.code === 'IO_ERROR' && /source went away/.test(e.message));
      // The daemon sees the request end early and reports it.
      const line = await until('the daemon to report the cut upload', () => d.log.find((l) => /upload to .*t\.raw stopped after \d+ of 8388608 bytes/.test(l)));
      const written = Number(/stopped after (\d+) of/.exec(line)?.[1]);
      assert.ok(written <= 3 * MiB, `wrote ${written} bytes of the 3 MiB sent`);
      const now = await readFile(vol);
      assert.equal(now.length, 8 * MiB);
      sameBytes(now.subarray(0, written), fresh.subarray(0, written), 'the written prefix');
      sameBytes(now.subarray(written), old.subarray(written), 'the bytes past the written prefix');
      // The pool's job is free again: a whole upload goes through.
      await client.uploadVolumeStream('default', 't.raw', Readable.from([fresh]), fresh.length);
      sameBytes(await readFile(vol), fresh, 'the volume after a whole upload');
    } finally {
      client.close();
      await d.close();
    }
  });

  it('reports progress up to the whole size, in order, on upload and download through the client', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: { PATH: process.env['PATH'] } });
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'p.raw', '8M'])).code, 0);
      const data = Buffer.from(seeded(13)(8 * MiB));
      await writeFile(join(d.root, 'in.bin'), data);
      const seen = { up: [] as number[], down: [] as number[] };
      await client.uploadVolume('default', 'p.raw', join(d.root, 'in.bin'), { onProgress: (done, total) => seen.up.push(done, total) });
      await client.downloadVolume('default', 'p.raw', join(d.root, 'out.bin'), { onProgress: (done, total) => seen.down.push(done, total) });
      sameBytes(await readFile(join(d.root, 'out.bin')), data, 'the downloaded file');
      for (const [what, calls] of Object.entries(seen)) {
        const done = calls.filter((_, i) => i % 2 === 0);
        assert.ok(done.length > 1, `${what}: ${done.length} progress calls`);
        assert.deepEqual(calls.slice(-2), [8 * MiB, 8 * MiB], `${what}: the last call is the whole size`);
        assert.ok(done.every((n, i) => i === 0 || n > (done[i - 1] ?? 0)), `${what}: progress goes up`);
        assert.ok(calls.filter((_, i) => i % 2 === 1).every((t) => t === 8 * MiB), `${what}: the total is the size`);
      }
    } finally {
      client.close();
      await d.close();
    }
  });
});
