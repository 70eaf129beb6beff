// rbd pools beyond create/delete, against the one-node Ceph cluster of tests/helpers/ceph-cluster.ts
// with cephx, all through the CLI: pool-define-as with virsh's auth flags (--auth-type ceph
// --auth-username --secret-usage) makes a pool that starts with the key of a 'ceph' secret;
// vol-clone --linked is an `rbd clone` of a protected virtkit-* snapshot (a second clone reuses
// it) reading the source's bytes; vol-clone without --linked is an independent full copy;
// vol-create-from copies a volume of the same pool (grown to its <capacity>), one of another rbd
// pool and a qcow2 file of a dir pool, and an rbd volume into a qcow2 volume of the dir pool
// (the last three: qemu-img through QEMU's rbd driver, as client.virtkit); vol-wipe leaves zeros and the
// source of a wiped clone untouched; the source of linked clones cannot be deleted until they
// are, and then goes with its snapshot; no private ceph.conf or keyring is left behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cephInstalled, startCephCluster } from '../helpers/ceph-cluster.js';
import { cli, inProcessDaemon } from './daemon-harness.js';

const MiB = 1 << 20;
const cephTempDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('virtkit-rbd-'));

test('rbd pool via pool-define-as --auth-*: linked and full clones, create-from (same pool, another rbd pool, a qcow2 file), wipe, delete with clones', { timeout: 300_000 }, async () => {
  assert.ok(await cephInstalled(), 'ceph-mon, ceph-osd and ceph-common are installed (scripts/setup.sh installs them)');
  const cluster = await startCephCluster('vkpool', { cephx: true });
  const d = await inProcessDaemon();
  const tempsBefore = cephTempDirs();
  try {
    const vk = async (...a: string[]): Promise<string> => {
      const r = await cli(d.root, a);
      assert.equal(r.code, 0, `virtkit ${a.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const refused = async (code: string, msg: RegExp, ...a: string[]): Promise<void> => {
      const r = await cli(d.root, ['--json', ...a]);
      assert.notEqual(r.code, 0, `virtkit ${a.join(' ')} should fail`);
      assert.match(r.stderr, new RegExp(code));
      assert.match(r.stderr, msg);
    };
    const exported = async (image: string): Promise<Buffer> => cluster.rbd('export', '--no-progress', `vkpool/${image}`, '-');
    const snaps = async (image: string): Promise<{ name: string; protected: string }[]> =>
      JSON.parse((await cluster.rbd('snap', 'ls', '--format', 'json', `vkpool/${image}`)).toString()) as { name: string; protected: string }[];

    // The seed: 4 MiB of random bytes, imported behind virtkit's back.
    const seed = randomBytes(4 * MiB);
    await writeFile(join(d.root, 'seed.raw'), seed);
    await cluster.rbd('import', '--no-progress', '--image-format', '2', join(d.root, 'seed.raw'), 'vkpool/base');

    await cluster.ceph('osd', 'pool', 'create', 'vk2', '8', '8');
    await cluster.rbd('pool', 'init', 'vk2');
    await cluster.ceph('auth', 'get-or-create', 'client.virtkit', 'mon', 'profile rbd', 'osd', 'profile rbd pool=vkpool, profile rbd pool=vk2');
    const key = (await cluster.ceph('auth', 'get-key', 'client.virtkit')).trim();
    await writeFile(join(d.root, 'secret.xml'), "<secret ephemeral='no' private='yes'><usage type='ceph'><name>client.virtkit</name></usage></secret>");
    const uuid = /Secret (\S+) created/.exec(await vk('secret-define', 'secret.xml'))?.[1];
    assert.ok(uuid);
    await vk('secret-set-value', uuid, '--base64', key);
    const defineAsOf = (name: string, cephPool: string): string[] => ['pool-define-as', name, 'rbd', '--source-host', '127.0.0.1', '--source-port', String(cluster.port),
      '--source-name', cephPool, '--auth-type', 'ceph', '--auth-username', 'virtkit', '--secret-usage', 'client.virtkit'];
    const defineAs = defineAsOf('ceph', 'vkpool');
    assert.match(await vk(...defineAs, '--print-xml'), /<auth type='ceph' username='virtkit'>\n {6}<secret usage='client\.virtkit'\/>/);
    await vk(...defineAs);
    assert.match(await vk('pool-dumpxml', 'ceph'), /<auth type='ceph' username='virtkit'>\s*<secret usage='client\.virtkit'\/>/);
    await vk('pool-start', 'ceph');

    // Linked: an rbd clone of a protected virtkit-* snapshot; a second one reuses that snapshot.
    assert.equal(await vk('vol-clone', 'base', 'linked1', '--pool', 'ceph', '--linked'), 'Vol linked1 cloned from base\n\n');
    await vk('vol-clone', 'base', 'linked2', '--pool', 'ceph', '--linked');
    const s = await snaps('base');
    assert.equal(s.length, 1);
    assert.match(s[0]?.name ?? '', /^virtkit-[0-9a-f]{8}$/);
    assert.equal(s[0]?.protected, 'true');
    const info = JSON.parse((await cluster.rbd('info', '--format', 'json', 'vkpool/linked1')).toString()) as { parent?: { image: string; snapshot: string } };
    assert.deepEqual([info.parent?.image, info.parent?.snapshot], ['base', s[0]?.name]);
    assert.ok((await exported('linked1')).equals(seed), 'the linked clone reads the source\'s bytes');

    // Full: an image of its own with the same bytes.
    await vk('vol-clone', 'base', 'full1', '--pool', 'ceph');
    assert.equal((JSON.parse((await cluster.rbd('info', '--format', 'json', 'vkpool/full1')).toString()) as { parent?: unknown }).parent, undefined);
    assert.ok((await exported('full1')).equals(seed));
    await refused('VOLUME_EXISTS', /already exists in pool 'ceph'/, 'vol-clone', 'base', 'full1', '--pool', 'ceph');

    // create-from in the same pool, grown to its 8 MiB <capacity>: the seed, then zeros.
    await writeFile(join(d.root, 'from.xml'), "<volume><name>from1</name><capacity unit='M'>8</capacity></volume>");
    assert.equal(await vk('vol-create-from', 'ceph', 'from.xml', 'base', '--inputpool', 'ceph'), 'Vol from1 created from input vol base\n\n');
    assert.ok((await exported('from1')).equals(Buffer.concat([seed, Buffer.alloc(4 * MiB)])));

    // create-from a volume of another rbd pool: qemu-img reads one pool and writes the other.
    await vk(...defineAsOf('ceph2', 'vk2'));
    await vk('pool-start', 'ceph2');
    await writeFile(join(d.root, 'across.xml'), "<volume><name>across</name><capacity unit='M'>4</capacity></volume>");
    await vk('vol-create-from', 'ceph2', 'across.xml', 'base', '--inputpool', 'ceph');
    assert.ok((await cluster.rbd('export', '--no-progress', 'vk2/across', '-')).equals(seed));
    await vk('vol-delete', 'across', '--pool', 'ceph2');
    await vk('pool-destroy', 'ceph2');

    // create-from a qcow2 file of a dir pool: qemu-img writes it into the image as client.virtkit.
    const dirPool = join(d.root, 'dirpool');
    await mkdir(dirPool);
    const head = randomBytes(MiB);
    await writeFile(join(d.root, 'head.raw'), head);
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', join(d.root, 'head.raw'), join(dirPool, 'disk.qcow2')]);
    execFileSync('qemu-img', ['resize', '-f', 'qcow2', join(dirPool, 'disk.qcow2'), '2M']);
    await vk('pool-define-as', 'files', 'dir', '--target', dirPool);
    await vk('pool-start', 'files');
    await writeFile(join(d.root, 'fromfile.xml'), "<volume><name>fromfile</name><capacity unit='M'>1</capacity></volume>");
    await vk('vol-create-from', 'ceph', 'fromfile.xml', 'disk.qcow2', '--inputpool', 'files');
    assert.ok((await exported('fromfile')).equals(Buffer.concat([head, Buffer.alloc(MiB)])), 'the qcow2 file\'s guest view, at its 2 MiB virtual size');
    const vol = JSON.parse(await vk('--json', 'vol-info', 'fromfile', '--pool', 'ceph')) as { type: string; capacity: number };
    assert.deepEqual([vol.type, vol.capacity], ['network', 2 * MiB]);
    // ...and back: an rbd volume into a qcow2 volume of the dir pool, reading the seed.
    await writeFile(join(d.root, 'tofile.xml'), "<volume><name>back.qcow2</name><capacity unit='M'>4</capacity><target><format type='qcow2'/></target></volume>");
    await vk('vol-create-from', 'files', 'tofile.xml', 'base', '--inputpool', 'ceph');
    execFileSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'raw', join(dirPool, 'back.qcow2'), join(d.root, 'seed.raw')]);
    const back = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-f', 'qcow2', join(dirPool, 'back.qcow2')]).toString()) as { 'virtual-size': number };
    assert.equal(back['virtual-size'], 4 * MiB);

    // Wipe: the linked clone reads zeros, its source is untouched.
    assert.equal(await vk('vol-wipe', 'linked1', '--pool', 'ceph'), 'Vol linked1 wiped\n\n');
    assert.ok((await exported('linked1')).equals(Buffer.alloc(4 * MiB)), 'a wiped volume reads as zeros');
    assert.ok((await exported('base')).equals(seed));
    await refused('UNSUPPORTED_OPERATION', /wipe algorithm 'trim' is not supported/, 'vol-wipe', 'full1', '--pool', 'ceph', '--algorithm', 'trim');

    // The source of linked clones stays until they are gone; then it goes with its snapshot.
    await refused('OPERATION_INVALID', /linked clones use it \(vkpool\/linked1, vkpool\/linked2\); delete them first/, 'vol-delete', 'base', '--pool', 'ceph');
    await vk('vol-delete', 'linked1', '--pool', 'ceph');
    assert.equal((await snaps('base')).length, 1, 'linked2 still uses the snapshot');
    await vk('vol-delete', 'linked2', '--pool', 'ceph');
    assert.deepEqual(await snaps('base'), [], 'the last clone took the snapshot with it');
    await vk('vol-delete', 'base', '--pool', 'ceph');
    assert.equal((await cluster.rbd('ls', 'vkpool')).toString(), 'from1\nfromfile\nfull1\n');
    for (const v of ['from1', 'fromfile', 'full1']) await vk('vol-delete', v, '--pool', 'ceph');
    await vk('pool-destroy', 'ceph');
    await vk('vol-delete', 'disk.qcow2', '--pool', 'files');
    await vk('vol-delete', 'back.qcow2', '--pool', 'files');
    await vk('pool-destroy', 'files');
    assert.deepEqual(cephTempDirs().filter((t) => !tempsBefore.includes(t)), [], 'no private ceph.conf or keyring is left');
  } finally {
    await d.close();
    await cluster.stop();
  }
});
