// Disk hotplug with a real guest (pc machine, ACPI PCI hotplug, virtio_blk), through the daemon
// engine and the real QEMU driver: a raw and then a qcow2 disk are plugged in live and appear in
// the guest's /sys/block with their size, blockresize grows one and the guest sees it, and
// detach removes the device from the guest and its nodes from QEMU (query-named-block-nodes).
// A --config attach changes only the definition; a disk that names a volume of the default
// pool boots and the live XML shows the file it resolved to; one attached live keeps its file
// in the live XML across a daemon restart. change-media and domblkinfo read through query-block.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { assertNoLeftovers, createHarness } from './lifecycle-harness.js';
import type { Harness } from './lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, virtioDiskXml } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { until } from '../helpers/wait.js';

const execFileP = promisify(execFile);
const MiB = 1 << 20;

async function boot(h: Harness, name: string, devices: string): Promise<GuestShell> {
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices }) });
  await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await shell.waitFor(GUEST_READY_MARKER);
  return shell;
}

const guestDisks = async (shell: GuestShell): Promise<string[]> =>
  (await shell.check('ls /sys/block')).split(/\s+/).filter((d) => d.startsWith('vd'));

/** The guest's size of vdb in bytes (/sys/block counts 512-byte sectors), undefined while it has none. */
async function vdbBytes(shell: GuestShell): Promise<number | undefined> {
  const r = await shell.run('cat /sys/block/vdb/size');
  return r.code === 0 ? Number(r.output.trim()) * 512 : undefined;
}

function nodeNames(h: Harness, name: string): Promise<string[]> {
  const disks = h.engine.ctx.registry.named(name).runtime?.handle?.disks;
  assert.ok(disks, 'the QEMU driver changes disks live');
  return disks.nodeNames();
}

test('hotplug: a raw and a qcow2 disk appear in the guest with their size, blockresize is seen, detach removes device and nodes', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-hotplug-'));
  const h = await createHarness();
  try {
    const boot0 = join(dir, 'vda.raw');
    const raw = join(dir, 'hot.raw');
    const qcow = join(dir, 'hot.qcow2');
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', boot0, '4M']);
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', raw, '8M']);
    await execFileP('qemu-img', ['create', '-q', '-f', 'qcow2', qcow, '24M']);
    const shell = await boot(h, 'hot', virtioDiskXml(boot0, 'vda'));
    assert.deepEqual(await guestDisks(shell), ['vda']);
    const before = await nodeNames(h, 'hot');

    await h.engine.dispatch({ kind: 'attachDevice', name: 'hot', xml: virtioDiskXml(raw, 'vdb') });
    assert.equal(await until('vdb in the guest', () => vdbBytes(shell)), 8 * MiB);
    const withRaw = await nodeNames(h, 'hot');
    const added = withRaw.filter((n) => !before.includes(n));
    assert.equal(added.length, 1, `one node for a raw disk: ${added.join(', ')}`);
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'hot' });
    assert.match(live, new RegExp(`<source file='${raw}'/>[\\s\\S]*<target dev='vdb' bus='virtio'/>[\\s\\S]*<alias name='virtio-disk1'/>`));
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'hot', inactive: true }), /hot\.raw/, 'live only: the definition is unchanged');

    await h.engine.dispatch({ kind: 'blockResize', name: 'hot', disk: 'vdb', bytes: 16 * MiB });
    await until('the guest sees 16 MiB', async () => (await vdbBytes(shell)) === 16 * MiB);
    const { stdout } = await execFileP('qemu-img', ['info', '--output=json', '-U', raw]);
    assert.equal((JSON.parse(stdout) as { 'virtual-size': number })['virtual-size'], 16 * MiB, 'the file grew');

    await h.engine.dispatch({ kind: 'detachDisk', name: 'hot', disk: 'vdb' });
    await until('vdb gone from the guest', async () => !(await guestDisks(shell)).includes('vdb'));
    assert.deepEqual((await nodeNames(h, 'hot')).sort(), [...before].sort(), 'the raw disk\'s node is deleted');
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'hot' }), /hot\.raw/);

    await h.engine.dispatch({ kind: 'attachDevice', name: 'hot', xml: virtioDiskXml(qcow, 'vdb', 'qcow2') });
    assert.equal(await until('the qcow2 disk in the guest', () => vdbBytes(shell)), 24 * MiB);
    const withQcow = (await nodeNames(h, 'hot')).filter((n) => !before.includes(n));
    assert.equal(withQcow.length, 2, `a storage and a format node: ${withQcow.join(', ')}`);
    const n = /^libvirt-(\d+)-storage$/.exec(added[0] ?? '')?.[1];
    assert.ok(n !== undefined && Number(n) >= 2, `the new node is named after the disks (libvirt-N, N past vda's): ${added.join(', ')}`);
    assert.deepEqual(withQcow.sort(), [`libvirt-${n}-format`, `libvirt-${n}-storage`], 'the freed name is free again');
    await shell.check('echo hotplug-proof | dd of=/dev/vdb bs=512 count=1 conv=sync 2>/dev/null && sync');
    await h.engine.dispatch({ kind: 'detachDevice', name: 'hot', xml: virtioDiskXml(qcow, 'vdb', 'qcow2') });
    await until('the qcow2 disk gone from the guest', async () => !(await guestDisks(shell)).includes('vdb'));
    assert.deepEqual((await nodeNames(h, 'hot')).sort(), [...before].sort(), 'both nodes are deleted');
    // Released by QEMU: qemu-img may open it again (without -U) and reads the guest's write.
    await execFileP('qemu-img', ['convert', '-O', 'raw', qcow, join(dir, 'flat.raw')]);
    assert.match((await execFileP('head', ['-c', '13', join(dir, 'flat.raw')])).stdout, /^hotplug-proof$/);

    await h.engine.dispatch({ kind: 'destroy', name: 'hot' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
});

test('attach --config changes only the definition; a volume disk boots as its file, attaches live and survives a daemon restart', { timeout: 300_000 }, async () => {
  const h = await createHarness();
  try {
    await h.engine.dispatch({ kind: 'volCreate', pool: 'default', xml: "<volume><name>data.qcow2</name><capacity unit='M'>12</capacity><target><format type='qcow2'/></target></volume>" });
    const vol = await h.engine.dispatch({ kind: 'volGet', pool: 'default', volume: 'data.qcow2' });
    const volumeDisk = "<disk type='volume' device='disk'><source pool='default' volume='data.qcow2'/><target dev='vda' bus='virtio'/></disk>";
    const shell = await boot(h, 'vols', volumeDisk);
    assert.deepEqual(await guestDisks(shell), ['vda']);
    assert.equal(await shell.check('cat /sys/block/vda/size'), `${(12 * MiB) / 512}\n`);
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: 'vols' });
    assert.match(live, new RegExp(`<disk type='file' device='disk'>\\s*<driver name='qemu' type='qcow2'/>\\s*<source file='${vol.path}'/>`));
    const persistent = await h.engine.dispatch({ kind: 'dumpxml', name: 'vols', inactive: true });
    assert.match(persistent, /<disk type='volume' device='disk'>\s*<source pool='default' volume='data.qcow2'\/>/);

    const extra = join(h.root, 'extra.raw');
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', extra, '1M']);
    await h.engine.dispatch({ kind: 'attachDevice', name: 'vols', xml: virtioDiskXml(extra, 'vdc'), config: true });
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols', inactive: true }), /extra\.raw/);
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols' }), /extra\.raw/);
    assert.deepEqual(await guestDisks(shell), ['vda'], 'the guest got nothing');
    await h.engine.dispatch({ kind: 'detachDisk', name: 'vols', disk: 'vdc', config: true });
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols', inactive: true }), /extra\.raw/);

    // A volume disk attached live and to the definition: the guest gets the volume's file, the
    // definition keeps the names, and both survive a daemon restart (the status file), after
    // which the disk detaches as any other.
    await h.engine.dispatch({ kind: 'volCreate', pool: 'default', xml: "<volume><name>more.raw</name><capacity unit='M'>3</capacity></volume>" });
    const more = await h.engine.dispatch({ kind: 'volGet', pool: 'default', volume: 'more.raw' });
    const moreDisk = "<disk type='volume' device='disk'><source pool='default' volume='more.raw'/><target dev='vdb' bus='virtio'/></disk>";
    await h.engine.dispatch({ kind: 'attachDevice', name: 'vols', xml: moreDisk, persistent: true });
    const vdb = async (s: GuestShell): Promise<string | undefined> => {
      const r = await s.run('cat /sys/block/vdb/size');
      return r.code === 0 ? r.output.trim() : undefined;
    };
    assert.equal(await until('the volume disk in the guest', () => vdb(shell)), String((3 * MiB) / 512));
    const withMore = new RegExp(`<disk type='file' device='disk'>\\s*<driver name='qemu' type='raw'/>\\s*<source file='${more.path}'/>\\s*<target dev='vdb' bus='virtio'/>`);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols' }), withMore);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols', inactive: true }), /<source pool='default' volume='more.raw'\/>/);
    await h.restart();
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols' }), withMore, 'the live XML survives a restart');
    const again = new GuestShell((await h.engine.dispatch({ kind: 'console', name: 'vols' })).stream);
    await h.engine.dispatch({ kind: 'detachDisk', name: 'vols', disk: 'vdb', persistent: true });
    await until('vdb gone after the restart', async () => (await vdb(again)) === undefined);
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols' }), /more\.raw/);
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'vols', inactive: true }), /more\.raw/);

    await h.engine.dispatch({ kind: 'destroy', name: 'vols' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
  }
});

test('change-media ejects and inserts a CD-ROM\'s medium (QMP query-block shows it); domblkinfo reads the sizes QEMU has open', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-media-'));
  const h = await createHarness();
  try {
    const [vda, iso1, iso2] = [join(dir, 'vda.qcow2'), join(dir, 'one.iso'), join(dir, 'two.iso')];
    await execFileP('qemu-img', ['create', '-q', '-f', 'qcow2', vda, '6M']);
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', iso1, '1M']);
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', iso2, '2M']);
    const cdrom = `<disk type='file' device='cdrom'><driver name='qemu' type='raw'/><source file='${iso1}'/><target dev='hdc' bus='ide'/><readonly/></disk>`;
    await boot(h, 'media', virtioDiskXml(vda, 'vda', 'qcow2') + cdrom);
    const info = (disk: string) => h.engine.dispatch({ kind: 'blockInfo', name: 'media', disk });

    const v = await info('vda');
    assert.equal(v.capacity, 6 * MiB);
    assert.equal(v.source, vda);
    assert.ok(v.physical > 0 && v.physical < 6 * MiB, `a fresh qcow2 file is small: ${v.physical}`);
    const c = await info('hdc');
    assert.deepEqual({ ...c, allocation: 0 }, { target: 'hdc', capacity: MiB, allocation: 0, physical: MiB, source: iso1 });
    assert.ok(c.allocation <= MiB, `a sparse raw file allocates at most its size: ${c.allocation}`);

    await h.engine.dispatch({ kind: 'changeMedia', name: 'media', disk: 'hdc', mode: 'eject' });
    assert.equal((await info('hdc')).source, null, 'no medium in QEMU');
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: 'media' }), /one\.iso/);
    await assert.rejects(h.engine.dispatch({ kind: 'changeMedia', name: 'media', disk: 'hdc', mode: 'eject' }), /has no medium to eject/);

    await h.engine.dispatch({ kind: 'changeMedia', name: 'media', disk: 'hdc', mode: 'insert', source: iso2 });
    assert.equal((await info('hdc')).source, iso2);
    assert.equal((await info('hdc')).capacity, 2 * MiB);
    await assert.rejects(h.engine.dispatch({ kind: 'changeMedia', name: 'media', disk: 'hdc', mode: 'insert', source: iso1 }), /already has a medium/);
    await h.engine.dispatch({ kind: 'changeMedia', name: 'media', disk: iso2, mode: 'update', source: iso1 });
    assert.equal((await info('hdc')).source, iso1);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'media' }), new RegExp(`<source file='${iso1}'/>\\s*<target dev='hdc' bus='ide'/>`));
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'media', inactive: true }), /one\.iso/, 'the definition is as it was');

    await h.engine.dispatch({ kind: 'destroy', name: 'media' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
});

test('a detach the guest cannot answer in time (its vCPUs paused) times out, and completes when the guest releases the disk', { timeout: 300_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vk-unplug-'));
  // The wait is short, but the outcome does not depend on it: a paused guest cannot release the disk at all.
  const h = await createHarness({ unplugTimeoutMs: 300 });
  try {
    const [vda, hot] = [join(dir, 'vda.raw'), join(dir, 'hot.raw')];
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', vda, '4M']);
    await execFileP('qemu-img', ['create', '-q', '-f', 'raw', hot, '2M']);
    const shell = await boot(h, 'late', virtioDiskXml(vda, 'vda'));
    const before = await nodeNames(h, 'late');
    await h.engine.dispatch({ kind: 'attachDevice', name: 'late', xml: virtioDiskXml(hot, 'vdb') });
    assert.equal(await until('vdb in the guest', () => vdbBytes(shell)), 2 * MiB);

    await h.engine.dispatch({ kind: 'suspend', name: 'late' });
    const timedOut = (e: unknown): boolean => (e as { code?: string }).code === 'OPERATION_TIMEOUT' && /did not release disk 'vdb'/.test((e as Error).message);
    await assert.rejects(h.engine.dispatch({ kind: 'detachDisk', name: 'late', disk: 'vdb' }), timedOut);
    // Asked again while the first request is pending: it waits for that one (QEMU would refuse a second device_del).
    await assert.rejects(h.engine.dispatch({ kind: 'detachDisk', name: 'late', disk: 'vdb' }), timedOut);
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name: 'late' }), /hot\.raw/, 'still in the live XML');

    await h.engine.dispatch({ kind: 'resume', name: 'late' });
    await until('the late removal reaches the live XML', async () => !(await h.engine.dispatch({ kind: 'dumpxml', name: 'late' })).includes('hot.raw'));
    assert.deepEqual((await nodeNames(h, 'late')).sort(), [...before].sort(), 'its node is deleted');
    assert.deepEqual(await guestDisks(shell), ['vda']);
    await until('the status file has it too', async () => {
      const st = (await h.engine.ctx.deps.status.loadAll()).find((x) => x.name === 'late');
      return st !== undefined && !st.xml.includes('hot.raw');
    });

    await h.engine.dispatch({ kind: 'destroy', name: 'late' });
    await assertNoLeftovers(h);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
  assert.ok(!existsSync(dir), `${dir} left behind`);
});
