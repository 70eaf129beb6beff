// A real network disk: an NBD export served by qemu-nbd on a unix socket in the
// test's directory, read and written by the test guest through QEMU's nbd
// block driver (<disk type='network'><source protocol='nbd'>).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

test('the guest reads and writes an NBD export served by qemu-nbd', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-nbd-'));
  const h = await createHarness();
  const image = join(dir, 'export.raw');
  const sock = join(dir, 'nbd.sock');
  const head = randomBytes(16).toString('hex');
  await writeFile(image, Buffer.concat([Buffer.from(head), Buffer.alloc((4 << 20) - head.length)]));
  const nbd = spawn('qemu-nbd', ['--persistent', '--format=raw', '--export-name=exp', '--socket', sock, image], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => nbd.once('exit', (code) => resolve(code)));
  let stderr = '';
  nbd.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  try {
    await until('qemu-nbd listening', () => existsSync(sock), 10_000);
    const disk = `<disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='nbd' name='exp'><host transport='unix' socket='${sock}'/></source><target dev='vda' bus='virtio'/></disk>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('nbd', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    await h.engine.dispatch({ kind: 'start', name: 'nbd' });
    await h.remember('nbd');
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'nbd' });
    assert.match(live, /<source protocol='nbd' name='exp'>/);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'nbd' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);

    assert.equal(await shell.check('blockdev --getsize64 /dev/vda'), `${4 << 20}\n`, 'the export\'s size');
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, 'the guest reads the export\'s first bytes');
    const written = randomBytes(16).toString('hex');
    await shell.check(`printf ${written} | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`);

    await h.engine.dispatch({ kind: 'destroy', name: 'nbd' });
    await assertNoLeftovers(h);
    const f = await open(image, 'r');
    try {
      const buf = Buffer.alloc(32);
      await f.read(buf, 0, 32, 8 * 512);
      assert.equal(buf.toString(), written, 'the guest\'s write reached the exported file through NBD');
    } finally {
      await f.close();
    }
  } finally {
    await h.close();
    nbd.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
  assert.equal(stderr.trim(), '', 'qemu-nbd reported no error');
});
