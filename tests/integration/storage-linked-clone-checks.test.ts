/**
 * A linked clone starts qemu-img before the walk of the source's backing chain has ended
 * (src/daemon/storage/linked-clone.ts). When the walk refuses the chain, qemu-img is killed and
 * awaited and its temp file removed: here the source's backing file is a FIFO outside every pool,
 * which qemu-img would wait on for ever. The request still answers BACKING_NOT_ALLOWED, nothing
 * is left in the pool, and no qemu-img of the pool's is left running.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, inProcessDaemon } from './daemon-harness.js';

const errCode = (stderr: string): string => (JSON.parse(stderr) as { error: { code: string } }).error.code;

/** Command lines of the processes that name `dir`. */
async function processesNaming(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((f) => /^\d+$/.test(f))) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(dir)) found.push(cmd.replace(/\0/g, ' '));
  }
  return found;
}

test('a linked clone whose source chain is refused kills its qemu-img and leaves nothing', { timeout: 120_000 }, async () => {
  const d = await inProcessDaemon();
  try {
    const vk = (...a: string[]) => cli(d.root, a);
    const images = d.layout.imagesDir;
    assert.equal((await vk('vol-create-as', 'default', 'r.raw', '1M')).code, 0, 'the default pool and its directory exist');
    const fifo = join(d.root, 'outside.fifo');
    execFileSync('mkfifo', [fifo]);
    // -u: the test's own setup must not open the FIFO (the daemon's command never has -u).
    execFileSync('qemu-img', ['create', '-q', '-u', '-f', 'qcow2', '-b', fifo, '-F', 'raw', join(images, 'evil.qcow2'), '1M']);
    assert.equal((await vk('pool-refresh', 'default')).code, 0);
    const before = (await readdir(images)).sort();
    for (const name of ['e1.qcow2', 'e2.qcow2']) {
      assert.equal(errCode((await vk('--json', 'vol-clone', 'evil.qcow2', name, '--pool', 'default', '--linked')).stderr), 'BACKING_NOT_ALLOWED');
    }
    assert.deepEqual((await readdir(images)).sort(), before, 'no temp file and no clone in the pool');
    assert.deepEqual(await processesNaming(images), [], 'no qemu-img left running');
    // A taken name is still reported before the refused chain.
    assert.equal(errCode((await vk('--json', 'vol-clone', 'evil.qcow2', 'evil.qcow2', '--pool', 'default', '--linked')).stderr), 'VOLUME_EXISTS');
  } finally {
    await d.close();
  }
});
