// Live attach of disks with keys, as libvirt does it: a LUKS qcow2 volume (its passphrase from a
// 'volume' secret) and an rbd image as a cephx user (its key from a 'ceph' secret) are plugged
// into a running guest. The key goes to a 0600 file in the domain's run dir, QEMU reads it with
// object-add (qom-type secret), blockdev-add names that secret, device_add plugs the disk; the
// file is gone once attach returns and the guest reads known bytes through /dev/vdb. Detach
// deletes the secret object too (qom-list /objects has none left). A wrong cephx key fails the
// attach (and a start) with a clear error and leaves no object, node, file or device behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { domainRuntimePaths } from '../../src/daemon/paths.js';
import type { QemuLiveDisks } from '../../src/daemon/qemu-driver/hotplug.js';
import { cephInstalled, startCephCluster } from '../helpers/ceph-cluster.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { assertNoLeftovers, createHarness, type Harness } from './lifecycle-harness.js';

const SIZE = 4 << 20;
const LUKS_UUID = '7a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CEPH_UUID = '8b3c4d5e-6f70-4b8c-9d0e-1f2a3b4c5d6e';

async function boot(h: Harness, name: string, dir: string): Promise<{ shell: GuestShell; runDir: string; disks: QemuLiveDisks }> {
  const vda = join(dir, 'vda.raw');
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', vda, '4M']);
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: virtioDiskXml(vda, 'vda') }) });
  const info = await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await shell.waitFor(GUEST_READY_MARKER);
  const disks = h.engine.ctx.registry.named(name).runtime?.handle?.disks as QemuLiveDisks | undefined;
  assert.ok(disks, 'the QEMU driver changes disks live');
  return { shell, runDir: domainRuntimePaths(h.layout, name, info.uuid).runDir, disks };
}

const keyFiles = (runDir: string): string[] => readdirSync(runDir).filter((f) => f.endsWith('.key'));

/** Detaches vdb and waits until the guest and QEMU have let it go. */
async function detachVdb(h: Harness, name: string, shell: GuestShell): Promise<void> {
  await h.engine.dispatch({ kind: 'detachDisk', name, disk: 'vdb' });
  await until('vdb gone from the guest', async () => (await shell.run('test -e /sys/block/vdb')).code !== 0);
}

test('hot attach of a LUKS qcow2 volume: the guest reads it; the key file is gone at once, the secret object after detach', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-hotkey-'));
  const h = await createHarness();
  try {
    const passphrase = randomBytes(24).toString('base64');
    const image = join(h.layout.imagesDir, 'hot-luks.qcow2');
    await h.engine.dispatch({ kind: 'secretDefine', xml: `<secret private='yes'><uuid>${LUKS_UUID}</uuid><usage type='volume'><volume>${image}</volume></usage></secret>` });
    await h.engine.dispatch({ kind: 'secretSetValue', uuid: LUKS_UUID, value: Buffer.from(passphrase).toString('base64') });
    await h.engine.dispatch({
      kind: 'volCreate', pool: 'default',
      xml: `<volume><name>hot-luks.qcow2</name><capacity>${SIZE}</capacity><target><format type='qcow2'/>` +
        `<encryption format='luks'><secret type='passphrase' uuid='${LUKS_UUID}'/></encryption></target></volume>`,
    }, { wait: 60_000 });
    const keyFile = join(dir, 'key');
    await writeFile(keyFile, passphrase, { mode: 0o600 });
    const head = randomBytes(16).toString('hex');
    const plain = join(dir, 'plain.raw');
    await writeFile(plain, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
    execFileSync('qemu-img', ['convert', '-n', '--object', `secret,id=s0,file=${keyFile}`, '-f', 'raw', '--target-image-opts', plain,
      `driver=qcow2,file.filename=${image},encrypt.key-secret=s0`]);

    const { shell, runDir, disks } = await boot(h, 'hotluks', dir);
    const nodesBefore = await disks.nodeNames();
    assert.deepEqual(await disks.secretObjects(), []);
    const disk = `<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='hot-luks.qcow2'/>
      <target dev='vdb' bus='virtio'/><encryption format='luks'><secret type='passphrase' uuid='${LUKS_UUID}'/></encryption></disk>`;
    await h.engine.dispatch({ kind: 'attachDevice', name: 'hotluks', xml: disk });
    assert.deepEqual(keyFiles(runDir), [], 'the key file is removed once QEMU has read it');
    assert.deepEqual(await disks.secretObjects(), ['libvirt-2-format-encryption-secret0']);
    await until('vdb in the guest', async () => (await shell.run('test -e /sys/block/vdb')).code === 0);
    assert.equal(await shell.check('head -c 32 /dev/vdb'), head, 'the guest reads the plain bytes through the LUKS layer');
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'hotluks' }), /<source file='[^']*hot-luks\.qcow2'\/>[\s\S]*<encryption format='luks'>/);

    await detachVdb(h, 'hotluks', shell);
    assert.deepEqual(await disks.secretObjects(), [], 'detach deleted the secret object');
    assert.deepEqual((await disks.nodeNames()).sort(), [...nodesBefore].sort());

    // Without the secret's value the attach is refused before QEMU is asked anything.
    await h.engine.dispatch({ kind: 'secretUndefine', uuid: LUKS_UUID });
    await assert.rejects(h.engine.dispatch({ kind: 'attachDevice', name: 'hotluks', xml: disk }), (e: unknown) => e instanceof VirtkitError && e.code === 'SECRET_NOT_FOUND');
    assert.deepEqual(await disks.secretObjects(), []);
    await h.engine.dispatch({ kind: 'destroy', name: 'hotluks' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('hot attach of an rbd disk as a cephx user; detach leaves no secret; a wrong key fails cleanly', { timeout: 300_000 }, async () => {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool', { cephx: true });
  const dir = await mkdtemp(join(tmpdir(), 'vk-hotrbd-'));
  const h = await createHarness();
  try {
    await cluster.ceph('auth', 'get-or-create', 'client.virtkit', 'mon', 'profile rbd', 'osd', 'profile rbd pool=vkpool');
    const key = (await cluster.ceph('auth', 'get-key', 'client.virtkit')).trim();
    const head = randomBytes(16).toString('hex');
    const seed = join(dir, 'seed.raw');
    await writeFile(seed, Buffer.concat([Buffer.from(head), Buffer.alloc(SIZE - head.length)]));
    await cluster.rbd('import', '--image-format', '2', seed, 'vkpool/hot');
    await h.engine.dispatch({ kind: 'secretDefine', xml: `<secret private='yes'><uuid>${CEPH_UUID}</uuid><usage type='ceph'><name>client.virtkit</name></usage></secret>` });

    const { shell, runDir, disks } = await boot(h, 'hotrbd', dir);
    const nodesBefore = await disks.nodeNames();
    const disk = `<disk type='network' device='disk'><driver name='qemu' type='raw'/>
      <source protocol='rbd' name='vkpool/hot'><host name='127.0.0.1' port='${cluster.port}'/>
        <auth username='virtkit'><secret type='ceph' uuid='${CEPH_UUID}'/></auth></source><target dev='vdb' bus='virtio'/></disk>`;

    // A wrong key (well-formed, made by ceph-authtool): the cluster refuses it. virtkit opens the image
    // with the rbd tool before QEMU is asked (QEMU's librados would retry inside its main loop for
    // 300 s); nothing is left behind.
    const wrong = execFileSync('ceph-authtool', ['--gen-print-key']).toString().trim();
    await h.engine.dispatch({ kind: 'secretSetValue', uuid: CEPH_UUID, value: wrong });
    await assert.rejects(h.engine.dispatch({ kind: 'attachDevice', name: 'hotrbd', xml: disk }), (e: unknown) => {
      assert.ok(e instanceof VirtkitError);
      assert.equal(e.code, 'STORAGE_FAILED');
      assert.match(e.message, /cannot open rbd image 'vkpool\/hot': the Ceph cluster at 127\.0\.0\.1:\d+ refused the connection as client\.virtkit/);
      return true;
    });
    assert.deepEqual(keyFiles(runDir), []);
    assert.deepEqual(await disks.secretObjects(), [], 'the failed attach deleted its secret object');
    assert.deepEqual((await disks.nodeNames()).sort(), [...nodesBefore].sort());
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'hotrbd' }), /vkpool\/hot/);
    // A start with that disk meets the same check before QEMU runs.
    const bootDisk = disk.replace("dev='vdb'", "dev='vda'");
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('rbdboot', { append: GUEST_APPEND, devices: bootDisk }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: 'rbdboot' }), (e: unknown) => e instanceof VirtkitError && e.code === 'STORAGE_FAILED' && /refused the connection as client\.virtkit/.test(e.message));
    assert.equal((await h.engine.dispatch({ kind: 'get', name: 'rbdboot' })).state, 'shutoff');

    await h.engine.dispatch({ kind: 'secretSetValue', uuid: CEPH_UUID, value: key });
    await h.engine.dispatch({ kind: 'attachDevice', name: 'hotrbd', xml: disk });
    assert.deepEqual(keyFiles(runDir), [], 'the key file is removed once QEMU has read it');
    assert.equal((await disks.secretObjects()).length, 1);
    await until('vdb in the guest', async () => (await shell.run('test -e /sys/block/vdb')).code === 0);
    assert.equal(await shell.check('head -c 32 /dev/vdb'), head, 'the guest reads the image as client.virtkit');

    await detachVdb(h, 'hotrbd', shell);
    assert.deepEqual(await disks.secretObjects(), [], 'detach deleted the secret object');
    assert.deepEqual((await disks.nodeNames()).sort(), [...nodesBefore].sort());
    await h.engine.dispatch({ kind: 'destroy', name: 'hotrbd' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
