// An RBD disk with cephx: a one-node ceph cluster that requires cephx (tests/helpers/ceph-cluster.ts
// { cephx: true }), a client key made with `ceph auth get-or-create`, stored as the value of a
// private 'ceph' secret, and a guest disk <source protocol='rbd'><auth username><secret type='ceph'
// uuid/></auth>. QEMU gets the key from a 0600 file in the domain's run dir, gone once the start
// returns; the guest reads and writes the image. (With the key base64-encoded in the file, as a
// first version wrote it, librados refused the connection: QEMU encodes the secret itself.)
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { domainRuntimePaths } from '../../src/daemon/paths.js';
import { cephInstalled, startCephCluster } from '../helpers/ceph-cluster.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';

const SIZE = 4 << 20;
const UUID = '3c9e2f1a-7b6d-4c5e-8f9a-0b1c2d3e4f5a';

test("the guest reads and writes an RBD image as a cephx user whose key is a 'ceph' secret", { timeout: 300_000 }, async () => {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool', { cephx: true });
  const dir = await mkdtemp(join(tmpdir(), 'vk-rbdx-'));
  const h = await createHarness();
  try {
    await cluster.ceph('auth', 'get-or-create', 'client.virtkit', 'mon', 'profile rbd', 'osd', 'profile rbd pool=vkpool');
    const key = (await cluster.ceph('auth', 'get-key', 'client.virtkit')).trim();
    const head = randomBytes(16).toString('hex');
    const file = join(dir, 'seed.raw');
    await writeFile(file, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
    await cluster.rbd('import', '--image-format', '2', file, 'vkpool/disk');

    await h.engine.dispatch({ kind: 'secretDefine', xml: `<secret private='yes'><uuid>${UUID}</uuid><usage type='ceph'><name>client.virtkit secret</name></usage></secret>` });
    // The key as `ceph auth get-key` prints it: base64, secret-set-value's default.
    await h.engine.dispatch({ kind: 'secretSetValue', uuid: UUID, value: key });
    const disk = `<disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='rbd' name='vkpool/disk'><host name='127.0.0.1' port='${cluster.port}'/>
        <auth username='virtkit'><secret type='ceph' uuid='${UUID}'/></auth></source><target dev='vda' bus='virtio'/></disk>`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('rbdx', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    const info = await h.engine.dispatch({ kind: 'start', name: 'rbdx' });
    await h.remember('rbdx');
    const run = domainRuntimePaths(h.layout, 'rbdx', info.uuid).runDir;
    assert.deepEqual(readdirSync(run).filter((f) => f.endsWith('.key')), [], 'the key file is gone from the run dir once started');
    const argv = h.engine.ctx.registry.named('rbdx').runtime?.argv ?? [];
    assert.equal(argv.join(' ').includes(key), false, 'the key is not on the command line');
    assert.ok(argv.some((a) => a.includes('"user":"virtkit"') && a.includes('"key-secret":"libvirt-1-storage-secret0"')));

    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'rbdx' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, "the guest reads the image's first bytes as client.virtkit");
    const written = randomBytes(16).toString('hex');
    await shell.check(`printf ${written} | dd of=/dev/vda bs=512 seek=8 conv=notrunc,fsync 2>/dev/null`);
    await h.engine.dispatch({ kind: 'destroy', name: 'rbdx' });
    await assertNoLeftovers(h);
    const image = await cluster.rbd('export', 'vkpool/disk', '-');
    assert.equal(image.subarray(8 * 512, 8 * 512 + 32).toString(), written, "the guest's write reached the cluster");

  } finally {
    await h.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
