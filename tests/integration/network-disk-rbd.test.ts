// A real RBD disk: an image in a one-node ceph cluster (a monitor and a memstore OSD on
// loopback, tests/helpers/ceph-cluster.ts), read and written by the test guest through
// QEMU's rbd block driver (librbd, block-rbd.so) from <disk type='network'><source
// protocol='rbd' name='POOL/IMAGE'><host name=... port=.../>; checked with `rbd export`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cephInstalled, startCephCluster } from '../helpers/ceph-cluster.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

const SIZE = 4 << 20;

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

test('the guest reads and writes an RBD image in a one-node ceph cluster', { timeout: 300_000 }, async (t) => {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool');
  const dir = await mkdtemp(join(tmpdir(), 'vk-rbd-'));
  const h = await createHarness();
  let stopped = false;
  try {
    const head = randomBytes(16).toString('hex');
    const file = join(dir, 'seed.raw');
    await writeFile(file, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
    await cluster.rbd('import', '--image-format', '2', file, 'vkpool/disk');

    const disk = `<disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='rbd' name='vkpool/disk'><host name='127.0.0.1' port='${cluster.port}'/></source><target dev='vda' bus='virtio'/></disk>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('rbd', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    await h.engine.dispatch({ kind: 'start', name: 'rbd' });
    await h.remember('rbd');
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'rbd' });
    assert.match(live, /<source protocol='rbd' name='vkpool\/disk'>/);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'rbd' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);

    assert.equal(await shell.check('blockdev --getsize64 /dev/vda'), `${SIZE}\n`, 'the image\'s size');
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, 'the guest reads the image\'s first bytes');
    const written = randomBytes(16).toString('hex');
    await shell.check(`printf ${written} | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`);

    await h.engine.dispatch({ kind: 'destroy', name: 'rbd' });
    await assertNoLeftovers(h);
    const image = await cluster.rbd('export', 'vkpool/disk', '-');
    assert.equal(image.length, SIZE, 'rbd export gives the whole image');
    assert.equal(image.subarray(0, 32).toString(), head, 'the seeded bytes are still there');
    assert.equal(image.subarray(8 * 512, 8 * 512 + 32).toString(), written, 'the guest\'s write reached the cluster through librbd');

    stopped = true;
    const ended = await cluster.stop();
    t.diagnostic(`ceph one-node cluster, ms per step: ${JSON.stringify(cluster.timings)}`);
    // SIGTERM is the only way in: a daemon that ended otherwise (a crash, an exit code) failed
    assert.deepEqual(ended, { 'osd.0': 'exit 0', 'mon.a': 'exit 0' }, 'the OSD and the monitor ended on SIGTERM');
    assert.equal(existsSync(cluster.dir), false, 'the cluster\'s directory is gone');
    assert.equal(await listening(cluster.port), false, 'nothing listens on the monitor\'s port any more');
  } finally {
    await h.close();
    if (!stopped) await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
