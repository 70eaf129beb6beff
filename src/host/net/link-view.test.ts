// SysNet against a fake /proc and /sys tree (the real ones are read by tests/integration/net/links.test.ts):
// names from /proc/self/net/dev only while /sys/class/net agrees, a bridge's MTU and ports with their
// MACs, a tap (tun_flags) with its master, and the listing asked (once) only for other links.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { lookupFromList, parseProcNetDev, SysNet } from './link-view.js';
import type { LinkInfo } from './links.js';

const DEV_HEADER = 'Inter-|   Receive |  Transmit\n face |bytes    packets|bytes    packets\n';

async function fakeHost(fn: (root: string, sys: SysNet) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vk-linkview-'));
  try {
    await mkdir(join(root, 'proc', 'self', 'net'), { recursive: true });
    await writeFile(join(root, 'proc', 'self', 'net', 'dev'), `${DEV_HEADER}    lo: 1 2\n  br0: 3 4\nvnet0: 5 6\n  eth0: 7 8\n`);
    const link = async (name: string, files: Record<string, string>, dirs: string[] = []): Promise<void> => {
      const dir = join(root, 'sys', 'class', 'net', name);
      await mkdir(dir, { recursive: true });
      for (const [f, text] of Object.entries(files)) await writeFile(join(dir, f), `${text}\n`);
      for (const d of dirs) await mkdir(join(dir, d), { recursive: true });
    };
    await link('lo', { mtu: '65536', address: '00:00:00:00:00:00' });
    await link('br0', { mtu: '1400', address: '52:54:00:aa:bb:cc' }, ['bridge', 'brif/vnet0']);
    await link('vnet0', { mtu: '1400', address: 'fe:54:00:00:00:01', tun_flags: '0x1002' });
    await symlink('../br0', join(root, 'sys', 'class', 'net', 'vnet0', 'master'));
    await link('eth0', { mtu: '1500', address: '52:54:00:00:00:09' });
    await fn(root, new SysNet({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') }));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const eth0: LinkInfo = {
  name: 'eth0', index: 2, mtu: 1500, mac: '52:54:00:00:00:09', up: true, operstate: 'UP', master: undefined, kind: 'veth', rx: undefined, tx: undefined,
};

test('/proc/net/dev: the names before each colon, after the two header lines', () => {
  assert.deepEqual(parseProcNetDev(`${DEV_HEADER}    lo: 1 2\nvnet12:3 4\n`), ['lo', 'vnet12']);
  assert.deepEqual(parseProcNetDev(DEV_HEADER), []);
});

test('names, a bridge with its ports, and the listing only for what is not a bridge', () => fakeHost(async (root, sys) => {
  let listed = 0;
  const look = await sys.lookup(() => { listed++; return Promise.resolve([eth0]); });
  assert.ok(look !== undefined);
  assert.deepEqual([...look.names].sort(), ['br0', 'eth0', 'lo', 'vnet0']);
  assert.deepEqual(await look.find('br0'), { name: 'br0', kind: 'bridge', mtu: 1400, mac: '52:54:00:aa:bb:cc', master: undefined, ports: [{ name: 'vnet0', mac: 'fe:54:00:00:00:01' }] });
  assert.deepEqual(await look.ports('br0'), [{ name: 'vnet0', mac: 'fe:54:00:00:00:01' }]);
  assert.deepEqual(await look.find('vnet0'), { name: 'vnet0', kind: 'tun', mtu: 1400, mac: 'fe:54:00:00:00:01', master: 'br0' });
  assert.equal(listed, 0, 'a bridge or a tap needs no listing');
  assert.equal(await look.find('nothere'), undefined);
  assert.equal(listed, 0, 'nor does a name nobody has');
  assert.equal((await look.find('eth0'))?.kind, 'veth');
  assert.equal(await look.find('lo'), undefined, 'lo: not a bridge, and not in the listing given');
  assert.equal(listed, 1, 'the listing is fetched once');
  assert.deepEqual(await look.ports('eth0'), []);
  // A port whose link went away between the readdir and the read is left out.
  await mkdir(join(root, 'sys', 'class', 'net', 'br0', 'brif', 'gone0'));
  assert.deepEqual((await sys.bridge('br0'))?.ports.map((p) => p.name), ['vnet0']);
}));

test('sysfs of another namespace (other names than /proc/self/net/dev), or none: no answer', () => fakeHost(async (root, sys) => {
  await mkdir(join(root, 'sys', 'class', 'net', 'veth9'));
  assert.equal(await sys.names(), undefined);
  assert.equal(await sys.lookup(() => Promise.resolve([])), undefined);
  assert.equal(await new SysNet({ procRoot: join(root, 'nothere'), sysRoot: join(root, 'sys') }).names(), undefined);
}));

test('a name that cannot be a link is refused before it becomes a path', () => fakeHost(async (_root, sys) => {
  await assert.rejects(sys.bridge('../../etc'), /IFACE_NAME_INVALID|not a valid network interface name/);
}));

test('the listing lookup: names, links, a bridge\'s ports by master', async () => {
  const tap: LinkInfo = { ...eth0, name: 'vnet3', kind: 'tun', master: 'br1', mac: 'fe:00:00:00:00:03' };
  const look = lookupFromList([eth0, tap]);
  assert.deepEqual([...look.names], ['eth0', 'vnet3']);
  assert.equal((await look.find('vnet3'))?.kind, 'tun');
  assert.deepEqual(await look.ports('br1'), [{ name: 'vnet3', mac: 'fe:00:00:00:00:03' }]);
});
