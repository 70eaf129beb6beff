// A real network disk over NFS: a raw image in an export served by nfs-ganesha (userspace,
// VFS backend) on 127.0.0.1, read and written by the test guest through QEMU's nfs block
// driver (libnfs, NFSv3; <disk type='network'><source protocol='nfs'>). rpcbind is the one
// already answering on 127.0.0.1:111, else one the test starts and stops (tests/helpers/rpcbind.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { MOUNT_PROGRAM, NFS_PROGRAM, startGanesha } from '../helpers/nfs-ganesha.js';
import type { Ganesha } from '../helpers/nfs-ganesha.js';
import { registrations, startRpcbind } from '../helpers/rpcbind.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';

const SIZE = 4 << 20;

test('the guest reads and writes a file on an NFS export served by nfs-ganesha', { timeout: 300_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-nfs-'));
  const exportDir = join(dir, 'export');
  const image = join(exportDir, 'disk.raw');
  await mkdir(exportDir);
  const head = randomBytes(16).toString('hex');
  await writeFile(image, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
  const rpcbind = await startRpcbind();
  let ganesha: Ganesha | undefined;
  let h: Harness | undefined;
  const run = async (): Promise<void> => {
    // ganesha registers NFS and MOUNT with rpcbind and ends when it cannot: a kernel nfsd or
    // a system-wide ganesha holding them is the host's, not something this test may stop.
    const taken = (await registrations()).filter((r) => r.program === NFS_PROGRAM || r.program === MOUNT_PROGRAM);
    if (taken.length > 0) {
      t.skip(`an NFS server is already registered with rpcbind on 127.0.0.1 (ports ${[...new Set(taken.map((r) => r.port))].join(', ')}), so nfs-ganesha cannot register its own`);
      return;
    }
    ganesha = await startGanesha(dir, exportDir);
    h = await createHarness();
    const disk = `<disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='nfs' name='${image}'><host name='127.0.0.1'/></source><target dev='vda' bus='virtio'/></disk>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('nfs', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    await h.engine.dispatch({ kind: 'start', name: 'nfs' });
    await h.remember('nfs');
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'nfs' });
    assert.match(live, new RegExp(`<source protocol='nfs' name='${image}'>`));
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'nfs' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);

    assert.equal(await shell.check('blockdev --getsize64 /dev/vda'), `${SIZE}\n`, 'the exported file\'s size');
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, 'the guest reads the exported file\'s first bytes');
    const written = randomBytes(16).toString('hex');
    await shell.check(`printf ${written} | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`);

    await h.engine.dispatch({ kind: 'destroy', name: 'nfs' });
    await assertNoLeftovers(h);
    const f = await open(image, 'r');
    try {
      const buf = Buffer.alloc(32);
      await f.read(buf, 0, 32, 8 * 512);
      assert.equal(buf.toString(), written, 'the guest\'s write reached the exported file through NFS');
    } finally {
      await f.close();
    }
  };
  const failed: unknown[] = [];
  await run().catch((e: unknown) => failed.push(e));
  // The first failure is the test's own; cleanup failures follow it.
  if (h !== undefined) await h.close().catch((e: unknown) => failed.push(e));
  if (ganesha !== undefined) await ganesha.stop().catch((e: unknown) => failed.push(e));
  await rpcbind.stop().catch((e: unknown) => failed.push(e));
  await rm(dir, { recursive: true, force: true });
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw new AggregateError(failed, 'the NFS test failed and so did its cleanup');
});
