/**
 * vol-clone and vol-create-from with progress (CLI in-process, real daemon, real qemu-img): a full
 * copy on a terminal draws qemu-img convert's progress ("Clone: [100 %]") from the WebSocket form;
 * --json, a pipe, and a linked clone draw nothing; the copy equals its source (qemu-img compare);
 * an error comes through the WebSocket as through REST. The WebSocket endpoints check their query
 * before the upgrade.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { run } from '../../src/cli/run.js';
import { VirtkitClient } from '../../src/client/client.js';
import { isVirtkitError } from '../../src/core/errors.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

describe('vol-clone and vol-create-from progress', { timeout: 120_000 }, () => {
  it('draws the copy progress on a terminal only, never with --json or for a linked clone', async () => {
    const d = await inProcessDaemon();
    try {
      const onTty = async (...argv: string[]) => {
        let stdout = '';
        let stderr = '';
        const code = await run(['--root', d.root, ...argv], {
          stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; }, env: { PATH: process.env['PATH'] }, cwd: d.root, tty: true,
        });
        return { code, stdout, stderr };
      };
      const images = d.layout.imagesDir;
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'src.qcow2', '32M', '--format', 'qcow2'])).code, 0);
      execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0xc3 0 24M', join(images, 'src.qcow2')]);

      const full = await onTty('vol-clone', 'src.qcow2', 'full.qcow2', '--pool', 'default');
      assert.deepEqual([full.code, full.stdout], [0, 'Vol full.qcow2 cloned from src.qcow2\n\n'], full.stderr);
      assert.match(full.stderr, /^\rClone: \[\s*\d+ %\]/);
      assert.match(full.stderr, /\rClone: \[100 %\]\n$/);
      execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'qcow2', join(images, 'src.qcow2'), join(images, 'full.qcow2')]);

      const json = await onTty('--json', 'vol-clone', 'src.qcow2', 'j.qcow2', '--pool', 'default');
      assert.deepEqual([json.code, json.stderr], [0, '']);
      assert.equal((JSON.parse(json.stdout) as { name: string }).name, 'j.qcow2');
      const piped = await cli(d.root, ['vol-clone', 'src.qcow2', 'p.qcow2', '--pool', 'default']);
      assert.deepEqual([piped.code, piped.stderr], [0, '']);
      const linked = await onTty('vol-clone', 'src.qcow2', 'l.qcow2', '--pool', 'default', '--linked');
      assert.deepEqual([linked.code, linked.stderr], [0, '']);

      await writeFile(join(d.root, 'raw.xml'), "<volume><name>copy.raw</name><capacity unit='M'>32</capacity><target><format type='raw'/></target></volume>");
      const from = await onTty('vol-create-from', 'default', 'raw.xml', 'src.qcow2', '--inputpool', 'default');
      assert.deepEqual([from.code, from.stdout], [0, 'Vol copy.raw created from input vol src.qcow2\n\n'], from.stderr);
      assert.match(from.stderr, /\rCopy: \[100 %\]\n$/);
      execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', join(images, 'src.qcow2'), join(images, 'copy.raw')]);

      // An error through the WebSocket reads as the REST one (the bar, never drawn, adds nothing).
      const again = await onTty('vol-clone', 'src.qcow2', 'full.qcow2', '--pool', 'default');
      const rest = await cli(d.root, ['vol-clone', 'src.qcow2', 'full.qcow2', '--pool', 'default']);
      assert.equal(again.code, 1);
      assert.deepEqual([again.stdout, again.stderr], [rest.stdout, rest.stderr]);
      assert.match(again.stderr, /already exists/);
    } finally {
      await d.close();
    }
  });

  it('the WebSocket endpoints refuse a bad query before the upgrade, and report errors as messages', async () => {
    const d = await inProcessDaemon();
    const client = new VirtkitClient({ root: d.root, env: { PATH: process.env['PATH'] } });
    try {
      assert.equal((await cli(d.root, ['vol-create-as', 'default', 'a.raw', '1M'])).code, 0);
      // A bad query is an ordinary HTTP error before any upgrade.
      const status = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`ws+unix://${d.layout.socket}:/v1/pools/default/volumes/a.raw/clone?name=x.raw&linked=maybe`);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('upgraded')));
        ws.on('error', () => undefined);
      });
      assert.equal(status, 400);
      const progress: number[] = [];
      const v = await client.cloneVolume('default', 'a.raw', 'b.raw', { onProgress: (p) => progress.push(p) });
      assert.equal(v.name, 'b.raw');
      assert.equal(progress.at(-1), 100, `progress ${progress.join(',')}`);
      await assert.rejects(client.cloneVolume('default', 'nope.raw', 'c.raw', { onProgress: () => undefined }),
        (e: unknown) => isVirtkitError(e) && e.code === 'VOLUME_NOT_FOUND');
      await assert.rejects(client.createVolumeFrom('default', '<volume>', { pool: 'default', volume: 'a.raw' }, { onProgress: () => undefined }),
        (e: unknown) => isVirtkitError(e) && e.code === 'INVALID_XML');
    } finally {
      await d.close();
    }
  });
});
