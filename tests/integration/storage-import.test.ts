/**
 * vol-import through the CLI in-process against a real daemon: a small image made by qemu-img in
 * each of raw, qcow2, vmdk and vdi (known bytes written with qemu-io) converted into the pool as
 * qcow2 with the progress drawn on stderr; the copy compared with the source by qemu-img compare.
 * Refusals leave nothing: an unknown format, a backing file outside every pool, a two-file vmdk,
 * and a pool that runs out of space before or during the conversion (an fs pool on a small ext4).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cli, inProcessDaemon } from './daemon-harness.js';

const img = (args: string[]): string => execFileSync('qemu-img', args, { encoding: 'utf8' });
const info = (path: string) => JSON.parse(img(['info', '--output=json', '-U', path])) as Record<string, unknown>;
const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;
const mounted = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir);

/** A 4 MiB image of `format` with known bytes at 1 MiB. */
function sourceImage(dir: string, format: string): string {
  const path = join(dir, `src.${format}`);
  img(['create', '-q', '-f', format, path, '4M']);
  execFileSync('qemu-io', ['-f', format, '-c', 'write -P 0xa5 1M 512k', path]);
  return path;
}

describe('vol-import (CLI, real daemon, real qemu-img)', { timeout: 120_000 }, () => {
  it('imports raw, qcow2, vmdk and vdi images as qcow2 volumes, with progress', async () => {
    const d = await inProcessDaemon();
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const images = d.layout.imagesDir;
      const srcDir = join(d.root, 'sources');
      await mkdir(srcDir);
      for (const format of ['raw', 'qcow2', 'vmdk', 'vdi']) {
        const src = sourceImage(srcDir, format);
        const r = await vk('vol-import', 'default', src, '--name', `${format}.qcow2`);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, `Vol ${format}.qcow2 imported from ${src}\n\n`);
        assert.match(r.stderr, /Import: \[100 %\]\n$/, format);
        const out = join(images, `${format}.qcow2`);
        assert.deepEqual([info(out)['format'], info(out)['virtual-size'], info(out)['backing-filename']], ['qcow2', 4 << 20, undefined], format);
        img(['check', '-f', 'qcow2', out]);
        img(['compare', '-f', format, '-F', 'qcow2', src, out]);
      }
      // The format from the extension, the name from the file; --target-format raw; --json without progress.
      const named = JSON.parse((await vk('--json', 'vol-import', 'default', join(srcDir, 'src.vdi'), '--target-format', 'raw')).stdout) as Record<string, unknown>;
      assert.deepEqual([named['name'], named['format']], ['src.raw', 'raw']);
      img(['compare', '-f', 'vdi', '-F', 'raw', join(srcDir, 'src.vdi'), join(images, 'src.raw')]);

      const before = (await readdir(images)).sort();
      await writeFile(join(srcDir, 'x.img'), Buffer.alloc(4096));
      assert.match((await vk('vol-import', 'default', join(srcDir, 'x.img'))).stderr, /cannot tell the format of 'x.img' from its extension: give --format/);
      assert.equal(errCode((await vk('--json', 'vol-import', 'default', join(srcDir, 'src.qcow2'), '--name', 'raw.qcow2')).stderr), 'VOLUME_EXISTS');
      // A qcow2 whose backing file is outside every pool is not followed.
      img(['create', '-q', '-f', 'qcow2', '-b', join(srcDir, 'src.raw'), '-F', 'raw', join(srcDir, 'over.qcow2')]);
      assert.equal(errCode((await vk('--json', 'vol-import', 'default', join(srcDir, 'over.qcow2'))).stderr), 'BACKING_NOT_ALLOWED');
      // A vmdk descriptor naming another file (a flat extent) is not read.
      img(['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', join(srcDir, 'flat.vmdk'), '1M']);
      const flat = await vk('--json', 'vol-import', 'default', join(srcDir, 'flat.vmdk'));
      assert.equal(errCode(flat.stderr), 'BACKING_NOT_ALLOWED');
      assert.equal(errCode((await vk('--json', 'vol-import', 'default', 'relative/no.raw', '--format', 'raw')).stderr), 'IO_ERROR');
      assert.deepEqual((await readdir(images)).sort(), before);
    } finally {
      await d.close();
    }
  });

  it('a pool that runs out of space fails with NO_SPACE before or during the conversion and keeps no half-made volume', async () => {
    const d = await inProcessDaemon();
    const mnt = join(d.root, 'mnt');
    try {
      const vk = (...a: string[]) => cli(d.root, a);
      const image = join(d.root, 'fs.img');
      execFileSync('truncate', ['-s', '8M', image]);
      execFileSync('mke2fs', ['-q', '-t', 'ext4', '-F', image]);
      assert.equal((await vk('pool-define-as', 'small', 'fs', '--source-dev', image, '--target', mnt, '--source-format', 'ext4')).code, 0);
      assert.equal((await vk('pool-start', 'small', '--build')).code, 0);
      const listed = async () => (await readdir(mnt)).filter((f) => f !== 'lost+found');
      // 16 MiB that do not compress: refused before qemu-img runs.
      const big = join(d.root, 'big.raw');
      execFileSync('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', 'count=16', 'status=none']);
      const before = await vk('--json', 'vol-import', 'small', big);
      assert.equal(errCode(before.stderr), 'NO_SPACE');
      assert.deepEqual(await listed(), []);
      // A compressed qcow2 that is small on disk and 16 MiB of data: the file system fills during the conversion.
      const text = join(d.root, 'text.raw');
      await writeFile(text, Buffer.alloc(16 << 20, 'virtkit compresses well '));
      const packed = join(d.root, 'packed.qcow2');
      img(['convert', '-c', '-f', 'raw', '-O', 'qcow2', text, packed]);
      const during = await vk('--json', 'vol-import', 'small', packed);
      assert.equal(errCode(during.stderr), 'NO_SPACE', during.stderr);
      assert.match(during.stderr, /nothing was left behind/);
      assert.deepEqual(await listed(), []);
      assert.deepEqual((JSON.parse((await vk('--json', 'vol-list', 'small')).stdout) as { name: string }[]).map((v) => v.name), ['lost+found']);
      assert.equal((await vk('pool-destroy', 'small')).code, 0);
    } finally {
      if (mounted(mnt)) execFileSync('umount', [mnt]);
      await d.close();
    }
  });
});
