// rbd pools for real, against the one-node Ceph cluster of tests/helpers/ceph-cluster.ts, with
// authentication off and with cephx (the pool's <auth> names a 'ceph' secret): pool-start lists
// the Ceph pool's images as volumes (type network, format raw, path and key POOL/IMAGE, the
// image's size as capacity); a wrong cephx key refuses the start with a clear error and leaves
// the pool inactive. vol-create 16M makes an image `rbd` sees; a qcow2 volume is refused. A
// guest boots from <disk type='volume'> of the pool: the live XML shows the rbd network disk
// and the guest reads bytes that `rbd import` wrote; another volume attaches live the same way.
// A linked clone of it, wiped, reads zeros (its source unchanged); vol-resize grows the image, vol-delete
// removes it, pool-destroy stops the pool; no key file or private ceph.conf is left behind.
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
import { cephInstalled, startCephCluster, type CephCluster } from '../helpers/ceph-cluster.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';
import { assertNoLeftovers, createHarness, type Harness } from './lifecycle-harness.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const MiB = 1 << 20;
const UUID = '9c4d5e6f-7081-4c9d-8e0f-2a3b4c5d6e7f';

const rejectsWith = (p: Promise<unknown>, code: string, msg?: RegExp): Promise<void> => assert.rejects(p, (e: unknown) => {
  assert.ok(e instanceof VirtkitError, String(e));
  assert.equal(e.code, code, e.message);
  if (msg) assert.match(e.message, msg);
  return true;
});

const cephTempDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('virtkit-rbd-'));

/** Sets the pool's key (cephx) and defines it; returns its XML. */
async function definePool(h: Harness, cluster: CephCluster, cephx: boolean): Promise<void> {
  const auth = cephx ? `<auth type='ceph' username='virtkit'><secret uuid='${UUID}'/></auth>` : '';
  await h.engine.dispatch({
    kind: 'poolDefine',
    xml: `<pool type='rbd'><name>ceph</name><source><name>vkpool</name><host name='127.0.0.1' port='${cluster.port}'/>${auth}</source></pool>`,
  });
}

async function scenario(cephx: boolean): Promise<void> {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool', { cephx });
  const dir = await mkdtemp(join(tmpdir(), 'vk-rbdpool-'));
  const tempsBefore = cephTempDirs();
  const h = await createHarness();
  try {
    const head = randomBytes(16).toString('hex');
    const seed = join(dir, 'seed.raw');
    await writeFile(seed, Buffer.concat([Buffer.from(head), Buffer.alloc(4 * MiB - head.length)]));
    await cluster.rbd('import', '--image-format', '2', seed, 'vkpool/seeded');
    await definePool(h, cluster, cephx);

    if (cephx) {
      await cluster.ceph('auth', 'get-or-create', 'client.virtkit', 'mon', 'profile rbd', 'osd', 'profile rbd pool=vkpool');
      const key = (await cluster.ceph('auth', 'get-key', 'client.virtkit')).trim();
      await h.engine.dispatch({ kind: 'secretDefine', xml: `<secret private='yes'><uuid>${UUID}</uuid><usage type='ceph'><name>client.virtkit</name></usage></secret>` });
      // A wrong (well-formed) key first: the start is refused and the pool stays inactive.
      await h.engine.dispatch({ kind: 'secretSetValue', uuid: UUID, value: execFileSync('ceph-authtool', ['--gen-print-key']).toString().trim() });
      await rejectsWith(h.engine.dispatch({ kind: 'poolStart', pool: 'ceph' }), 'STORAGE_FAILED', /refused the connection as client\.virtkit.*check the user, its key/);
      assert.equal((await h.engine.dispatch({ kind: 'poolGet', pool: 'ceph' })).state, 'inactive');
      await h.engine.dispatch({ kind: 'secretSetValue', uuid: UUID, value: key });
    }

    const started = await h.engine.dispatch({ kind: 'poolStart', pool: 'ceph' });
    assert.equal(started.state, 'running');
    assert.equal(started.volumes, 1);
    const seeded = await h.engine.dispatch({ kind: 'volGet', pool: 'ceph', volume: 'seeded' });
    assert.deepEqual({ ...seeded, allocation: 0 }, {
      name: 'seeded', pool: 'ceph', key: 'vkpool/seeded', path: 'vkpool/seeded', type: 'network', format: 'raw', capacity: 4 * MiB, allocation: 0, backing: null,
    });

    await h.engine.dispatch({ kind: 'volCreate', pool: 'ceph', xml: "<volume><name>data</name><capacity unit='M'>16</capacity></volume>" });
    const listed = await h.engine.dispatch({ kind: 'volList', pool: 'ceph' });
    assert.deepEqual(listed.map((v) => [v.name, v.capacity, v.type, v.path]), [['data', 16 * MiB, 'network', 'vkpool/data'], ['seeded', 4 * MiB, 'network', 'vkpool/seeded']]);
    const info = JSON.parse((await cluster.rbd('info', '--format', 'json', 'vkpool/data')).toString()) as { size: number };
    assert.equal(info.size, 16 * MiB, 'the image is in the cluster');
    const xml = await h.engine.dispatch({ kind: 'volXml', pool: 'ceph', volume: 'data' });
    assert.match(xml, /^<volume type='network'>/);
    assert.match(xml, /<key>vkpool\/data<\/key>/);
    assert.match(xml, /<capacity unit='bytes'>16777216<\/capacity>/);
    assert.match(xml, /<path>vkpool\/data<\/path>\s*<format type='raw'\/>/);
    await rejectsWith(h.engine.dispatch({ kind: 'volCreate', pool: 'ceph', xml: "<volume><name>q</name><capacity unit='M'>1</capacity><target><format type='qcow2'/></target></volume>" }),
      'XML_UNSUPPORTED', /an rbd volume is raw, not 'qcow2'/);
    await rejectsWith(h.engine.dispatch({ kind: 'volCreate', pool: 'ceph', xml: "<volume><name>data</name><capacity unit='M'>1</capacity></volume>" }), 'VOLUME_EXISTS');

    // A guest on <disk type='volume'> of the pool: an rbd network disk with the pool's host and auth.
    const disk = "<disk type='volume' device='disk'><driver name='qemu' type='raw'/><source pool='ceph' volume='seeded'/><target dev='vda' bus='virtio'/></disk>";
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml('rbdvol', { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: disk }) });
    const dom = await h.engine.dispatch({ kind: 'start', name: 'rbdvol' });
    await h.remember('rbdvol');
    assert.deepEqual(readdirSync(domainRuntimePaths(h.layout, 'rbdvol', dom.uuid).runDir).filter((f) => f.endsWith('.key')), []);
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'rbdvol' });
    assert.match(live, new RegExp(`<disk type='network' device='disk'>[\\s\\S]*<source protocol='rbd' name='vkpool/seeded'>\\s*<host name='127.0.0.1' port='${cluster.port}'/>`));
    if (cephx) assert.match(live, new RegExp(`<auth username='virtkit'>\\s*<secret type='ceph' uuid='${UUID}'/>`));
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'rbdvol', inactive: true }), /<source pool='ceph' volume='seeded'\/>/);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'rbdvol' })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    assert.equal(await shell.check('head -c 32 /dev/vda'), head, 'the guest reads the bytes rbd import wrote');
    // The same resolution at a live attach: the 16 MiB volume plugs in as vdb, then leaves.
    await h.engine.dispatch({ kind: 'attachDevice', name: 'rbdvol', xml: "<disk type='volume' device='disk'><source pool='ceph' volume='data'/><target dev='vdb' bus='virtio'/></disk>" });
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'rbdvol' }), /<source protocol='rbd' name='vkpool\/data'>/);
    await until('vdb in the guest', async () => (await shell.run('test -e /sys/block/vdb')).code === 0);
    assert.equal(await shell.check('cat /sys/block/vdb/size'), `${(16 * MiB) / 512}\n`);
    await h.engine.dispatch({ kind: 'detachDisk', name: 'rbdvol', disk: 'vdb' });
    await until('vdb gone from the guest', async () => (await shell.run('test -e /sys/block/vdb')).code !== 0);
    await h.engine.dispatch({ kind: 'destroy', name: 'rbdvol' });

    // A linked clone of the seeded image, wiped (qemu-img through QEMU's rbd driver, with and
    // without cephx): it reads zeros, its source still the seed; deleting it drops the snapshot.
    await h.engine.dispatch({ kind: 'volClone', pool: 'ceph', volume: 'seeded', newName: 'wiped', linked: true });
    assert.equal((await cluster.rbd('export', '--no-progress', 'vkpool/wiped', '-')).subarray(0, 32).toString(), head);
    await h.engine.dispatch({ kind: 'volWipe', pool: 'ceph', volume: 'wiped' });
    assert.ok((await cluster.rbd('export', '--no-progress', 'vkpool/wiped', '-')).equals(Buffer.alloc(4 * MiB)));
    assert.equal((await cluster.rbd('export', '--no-progress', 'vkpool/seeded', '-')).subarray(0, 32).toString(), head);
    await h.engine.dispatch({ kind: 'volDelete', pool: 'ceph', volume: 'wiped' });
    assert.equal((await cluster.rbd('snap', 'ls', 'vkpool/seeded')).toString(), '');

    const grown = await h.engine.dispatch({ kind: 'volResize', pool: 'ceph', volume: 'data', capacity: 32 * MiB });
    assert.equal(grown.capacity, 32 * MiB);
    assert.equal((JSON.parse((await cluster.rbd('info', '--format', 'json', 'vkpool/data')).toString()) as { size: number }).size, 32 * MiB);
    await rejectsWith(h.engine.dispatch({ kind: 'volResize', pool: 'ceph', volume: 'data', capacity: 8 * MiB }), 'VOLUME_SHRINK_REFUSED');
    await h.engine.dispatch({ kind: 'volDelete', pool: 'ceph', volume: 'data' });
    assert.deepEqual((await h.engine.dispatch({ kind: 'volList', pool: 'ceph' })).map((v) => v.name), ['seeded']);
    assert.equal((await cluster.rbd('ls', 'vkpool')).toString(), 'seeded\n', 'the image is gone from the cluster');

    // An image made behind virtkit's back shows after pool-refresh.
    await cluster.rbd('create', '--size', '2M', 'vkpool/outside');
    assert.equal((await h.engine.dispatch({ kind: 'poolRefresh', pool: 'ceph' })).volumes, 2);
    await rejectsWith(h.engine.dispatch({ kind: 'poolBuild', pool: 'ceph' }), 'OPERATION_INVALID');
    const stopped = await h.engine.dispatch({ kind: 'poolDestroy', pool: 'ceph' });
    assert.equal(stopped.state, 'inactive');
    await rejectsWith(h.engine.dispatch({ kind: 'poolBuild', pool: 'ceph' }), 'UNSUPPORTED_OPERATION', /is made and deleted in Ceph/);
    await assertNoLeftovers(h);
    assert.deepEqual(cephTempDirs().filter((d) => !tempsBefore.includes(d)), [], 'no private ceph.conf or keyring is left');
  } finally {
    await h.close();
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

test('an rbd pool without authentication: start, volumes, a guest on a volume disk, resize, delete, destroy', { timeout: 300_000 }, () => scenario(false));

test('an rbd pool as a cephx user (its key a ceph secret): a wrong key refuses the start; then the same as without', { timeout: 300_000 }, () => scenario(true));

test('the CLI on an rbd pool: pool-define, pool-start, vol-create-as 16M, vol-list, vol-path, vol-info, vol-delete, pool-destroy', { timeout: 300_000 }, async () => {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool');
  const d = await inProcessDaemon();
  try {
    const vk = async (...a: string[]): Promise<string> => {
      const r = await cli(d.root, a);
      assert.equal(r.code, 0, `virtkit ${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    await writeFile(join(d.root, 'ceph.xml'), `<pool type='rbd'><name>ceph</name><source><name>vkpool</name><host name='127.0.0.1' port='${cluster.port}'/></source></pool>`);
    await vk('pool-define', 'ceph.xml');
    await vk('pool-start', 'ceph');
    await vk('vol-create-as', 'ceph', 'disk1', '16M');
    const refused = await cli(d.root, ['--json', 'vol-create-as', 'ceph', 'q', '16M', '--format', 'qcow2']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /XML_UNSUPPORTED[\s\S]*an rbd volume is raw, not 'qcow2'/);
    assert.deepEqual((await vk('vol-list', 'ceph')).split('\n').slice(2, 3).map((l) => l.trim().split(/\s+/)), [['disk1', 'vkpool/disk1']]);
    assert.equal(await vk('vol-path', 'disk1', '--pool', 'ceph'), 'vkpool/disk1\n\n', 'libvirt\'s path of an rbd volume: CEPHPOOL/IMAGE (virsh ends with a blank line)');
    const info = JSON.parse(await vk('--json', 'vol-info', 'disk1', '--pool', 'ceph')) as { type: string; capacity: number };
    assert.deepEqual([info.type, info.capacity], ['network', 16 * MiB]);
    assert.match(await vk('vol-info', 'disk1', '--pool', 'ceph'), /Type:\s+network\nCapacity:\s+16\.00 MiB/);
    await vk('vol-delete', 'disk1', '--pool', 'ceph');
    assert.equal((await cluster.rbd('ls', 'vkpool')).toString(), '');
    await vk('pool-destroy', 'ceph');
  } finally {
    await d.close();
    await cluster.stop();
  }
});
