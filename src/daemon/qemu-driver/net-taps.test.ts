// DomainTaps against a scripted `ip` (a fake IpRunner that keeps a table of links), for what
// the real-kernel tests cannot stop at: the record is written before a tap is made, a failure
// after the tap exists removes it and its record entry, a name that exists is never taken over,
// and removal only deletes taps. The real taps, bridges and guests are in tests/integration/net/.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { ipFailure, type IpRunner } from '../../host/net/ip-runner.js';
import { Links } from '../../host/net/links.js';
import { Ovs } from '../../host/net/ovs.js';
import type { TapPlan } from './net-plan.js';
import { DomainTaps, readTapRecord, TapNamer } from './net-taps.js';

interface FakeLink { ifname: string; kind?: string; mtu: number; master?: string; address?: string; up?: boolean }

/** A scripted `ip`: the links it knows, every call it got, and an optional failure for calls matching `failOn`. */
function fakeIp(links: FakeLink[], failOn?: RegExp): { run: IpRunner; calls: string[]; links: FakeLink[] } {
  const calls: string[] = [];
  const run: IpRunner = (args) => {
    // `ip -batch FILE`: each line as its own call, stopping at the first failure, as ip does.
    if (args[0] === '-batch') {
      const lines = readFileSync(args[1] ?? '', 'utf8').split('\n').filter((l) => l !== '');
      return lines.reduce<Promise<string>>((p, l) => p.then(() => run(l.split(' '))), Promise.resolve('')).then(() => '');
    }
    const line = args.join(' ');
    calls.push(line);
    if (failOn?.test(line) === true) return Promise.reject(ipFailure(args, 'RTNETLINK answers: Operation not permitted'));
    const dev = (k: string): FakeLink | undefined => links.find((l) => l.ifname === args[args.indexOf(k) + 1]);
    if (line.startsWith('-j -d -s link show')) {
      return Promise.resolve(JSON.stringify(links.map((l) => ({
        ifname: l.ifname, ifindex: 1, mtu: l.mtu, address: l.address, master: l.master, flags: l.up === true ? ['UP'] : [],
        ...(l.kind === undefined ? {} : { linkinfo: { info_kind: l.kind } }),
      }))));
    }
    if (line.startsWith('tuntap add')) links.push({ ifname: args[3] ?? '', kind: 'tun', mtu: 1500 });
    else if (line.startsWith('link del')) links.splice(links.findIndex((l) => l.ifname === args[3]), 1);
    else if (line.startsWith('link set')) {
      const l = dev('dev');
      if (l === undefined) return Promise.reject(ipFailure(args, `Cannot find device "${args[3] ?? ''}"`));
      if (args.includes('address')) l.address = args[args.indexOf('address') + 1] ?? '';
      if (args.includes('mtu')) l.mtu = Number(args[args.indexOf('mtu') + 1]);
      if (args.includes('master')) l.master = args[args.indexOf('master') + 1] ?? '';
      if (args.includes('up')) l.up = true;
    }
    return Promise.resolve('');
  };
  return { run, calls, links };
}

const plan = (over: Partial<TapPlan> = {}): TapPlan => ({
  alias: 'net0', path: '/domain/devices/interface[1]', name: undefined, uplink: { kind: 'bridge', bridge: 'br0' },
  mac: 'fe:54:00:00:00:01', mtu: undefined, queues: 1, ...over,
});

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-taps-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

const code = (c: string, re?: RegExp) => (e: unknown): boolean => e instanceof VirtkitError && e.code === c && (re === undefined || re.test(e.message));

test('a tap on a bridge: recorded first, then made, then set up (MAC, the bridge MTU, master, up) in one ip link set', () => withDir(async (dir) => {
  const ip = fakeIp([{ ifname: 'br0', kind: 'bridge', mtu: 1400 }, { ifname: 'vnet0', kind: 'tun', mtu: 1500 }]);
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined });
  assert.equal(await taps.plug(plan()), 'vnet1', 'vnet0 is taken');
  assert.deepEqual(ip.calls.slice(1), ['tuntap add dev vnet1 mode tap', 'link set dev vnet1 address fe:54:00:00:00:01 mtu 1400 master br0 up']);
  assert.deepEqual(await readTapRecord(dir), [{ alias: 'net0', name: 'vnet1' }]);
  // The next name counts on from the last one handed out.
  assert.equal(await taps.plug(plan({ alias: 'net1', mac: 'fe:54:00:00:00:02', queues: 4, mtu: 9000 })), 'vnet2');
  assert.ok(ip.calls.includes('tuntap add dev vnet2 mode tap multi_queue'));
  assert.ok(ip.calls.includes('link set dev vnet2 address fe:54:00:00:00:02 mtu 9000 master br0 up'));
  assert.deepEqual(await taps.removeAll(), []);
  assert.deepEqual(ip.links.map((l) => l.ifname), ['br0', 'vnet0'], 'only its own taps went');
  assert.deepEqual(await readTapRecord(dir), []);
}));

test('a failure after the tap exists removes it and forgets it; a failed create leaves no record entry', () => withDir(async (dir) => {
  const ip = fakeIp([{ ifname: 'br0', kind: 'bridge', mtu: 1500 }], /master/);
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined });
  await assert.rejects(taps.plug(plan({ name: 'mytap' })), code('HOST_NET_FAILED', /Operation not permitted/));
  assert.deepEqual(ip.links.map((l) => l.ifname), ['br0']);
  assert.deepEqual(await readTapRecord(dir), []);
  const ip2 = fakeIp([{ ifname: 'br0', kind: 'bridge', mtu: 1500 }], /tuntap add/);
  const taps2 = DomainTaps.empty(dir, { links: new Links({ run: ip2.run }), namer: new TapNamer(), resolveNetwork: undefined });
  await assert.rejects(taps2.plug(plan()), code('HOST_NET_FAILED'));
  assert.deepEqual(JSON.parse(await readFile(join(dir, 'taps.json'), 'utf8')), { taps: [] });
}));

test('a name another program takes between the listing and the making: its tap is left alone, the plug fails, nothing recorded', () => withDir(async (dir) => {
  // The listing does not show vnet0 yet; by the time of `tuntap add` someone else has it.
  const ip = fakeIp([{ ifname: 'br0', kind: 'bridge', mtu: 1500 }], /tuntap add dev vnet0/);
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined });
  const theirs = () => ip.links.push({ ifname: 'vnet0', kind: 'tun', mtu: 1500 });
  const run = ip.run;
  let listed = false;
  const racing = new Links({ run: (args) => run(args).then((out) => { if (!listed && args[0] === '-j') { listed = true; theirs(); } return out; }) });
  const racy = DomainTaps.empty(dir, { links: racing, namer: new TapNamer(), resolveNetwork: undefined });
  await assert.rejects(racy.plug(plan()), code('HOST_NET_FAILED'));
  assert.ok(ip.links.some((l) => l.ifname === 'vnet0'), "the other program's tap is still there");
  assert.ok(!ip.calls.some((c) => c.startsWith('link del')), `no delete: ${ip.calls.join('; ')}`);
  assert.deepEqual(await readTapRecord(dir), []);
  assert.deepEqual(taps.names(), {});
}));

test('a taken name, a missing bridge, a device that is not a bridge, a network without resolver: refused, nothing made', () => withDir(async (dir) => {
  const ip = fakeIp([{ ifname: 'br0', kind: 'bridge', mtu: 1500 }, { ifname: 'eth9', mtu: 1500 }, { ifname: 'usertap', kind: 'tun', mtu: 1500 }]);
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined });
  await assert.rejects(taps.plug(plan({ name: 'usertap' })), code('IFACE_EXISTS', /'usertap' exists already/));
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'nobr' } })), code('BRIDGE_NOT_FOUND', /no bridge 'nobr'/));
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'eth9' } })), code('BRIDGE_NOT_FOUND', /'eth9' is a plain device, not a bridge/));
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'network', network: 'default' } })), code('XML_UNSUPPORTED', /network 'default' has no bridge/));
  assert.ok(ip.calls.every((c) => c.startsWith('-j')), `only lookups: ${ip.calls.join('; ')}`);
}));

test('a network interface goes into the bridge its resolver names; a restarted daemon loads the record and removes only taps', () => withDir(async (dir) => {
  const ip = fakeIp([{ ifname: 'virbr9', kind: 'bridge', mtu: 1500 }]);
  const deps = { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: (n: string) => Promise.resolve({ bridge: n === 'default' ? 'virbr9' : 'x' }) };
  const taps = DomainTaps.empty(dir, deps);
  assert.equal(await taps.plug(plan({ uplink: { kind: 'network', network: 'default' } })), 'vnet0');
  assert.equal(ip.links.find((l) => l.ifname === 'vnet0')?.master, 'virbr9');
  // Meanwhile someone replaced vnet0 with a device of another kind: not ours to delete.
  ip.links.splice(1, 1, { ifname: 'vnet0', kind: 'dummy', mtu: 1500 });
  const loaded = await DomainTaps.load(dir, deps);
  assert.deepEqual(loaded.names(), { net0: 'vnet0' });
  assert.deepEqual(await loaded.removeAll(), []);
  assert.deepEqual(ip.links.map((l) => l.ifname), ['virbr9', 'vnet0']);
}));

/** A scripted ovs-vsctl: the OVS bridges it knows (and their ports) and every call (without --db/--timeout). */
function fakeOvs(bridges: string[], ports: Record<string, string[]> = {}): { ovs: Ovs; calls: string[] } {
  const calls: string[] = [];
  const ovs = new Ovs({ db: '/x/db.sock', run: (args) => {
    const a = args.slice(2);
    calls.push(a.join(' '));
    if (a[0] === 'br-exists') {
      return bridges.includes(a[1] ?? '') ? Promise.resolve('') : Promise.reject(new VirtkitError('HOST_NET_FAILED', 'br-exists', { details: { exitCode: 2 } }));
    }
    if (a[0] === 'list-ports') return Promise.resolve((ports[a[1] ?? ''] ?? []).map((x) => `${x}\n`).join(''));
    return Promise.resolve(a[0] === 'get' ? '1\n[]\n' : '');
  } });
  return { ovs, calls };
}

test('an OVS port: plugged with ovs-vsctl instead of a master, recorded as such; its removal deletes the port before the tap', () => withDir(async (dir) => {
  // The userspace datapath's bridge device is a tap, not a bridge.
  const ip = fakeIp([{ ifname: 'ovsbr', kind: 'tun', mtu: 1450 }]);
  const { ovs, calls } = fakeOvs(['ovsbr']);
  const deps = { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined, ovs };
  const taps = DomainTaps.empty(dir, deps);
  const port = { attachedMac: '52:54:00:00:00:01', vlan: { tags: [10], trunk: false } };
  assert.equal(await taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'ovsbr' }, ovs: port })), 'vnet0');
  assert.deepEqual(calls, ['br-exists ovsbr', 'list-ports ovsbr',
    '-- --if-exists del-port vnet0 -- add-port ovsbr vnet0 tag=10 -- set Interface vnet0 external-ids:attached-mac="52:54:00:00:00:01" -- set Interface vnet0 external-ids:iface-status="active"',
    'get Interface vnet0 ofport error']);
  assert.deepEqual([ip.links[1]?.master, ip.links[1]?.mtu, ip.links[1]?.up], [undefined, 1450, true], "no master; the OVS bridge's MTU; up");
  assert.deepEqual(await readTapRecord(dir), [{ alias: 'net0', name: 'vnet0', ovs: true }]);
  calls.length = 0;
  assert.deepEqual(await (await DomainTaps.load(dir, deps)).removeAll(), []);
  assert.deepEqual(calls, ['--if-exists del-port vnet0']);
  assert.deepEqual(ip.links.map((l) => l.ifname), ['ovsbr']);
  // Without a virtualport, an OVS bridge is refused with a hint; with one, a missing OVS bridge is BRIDGE_NOT_FOUND before any tap.
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'ovsbr' } })), code('BRIDGE_NOT_FOUND', /is an Open vSwitch bridge.*add <virtualport/));
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'nobr' }, ovs: port })), code('BRIDGE_NOT_FOUND', /no Open vSwitch bridge 'nobr'/));
  assert.deepEqual(ip.links.map((l) => l.ifname), ['ovsbr']);
}));

test("a network the resolver says is an OVS bridge: the port gets the portgroup's VLAN unless the interface has its own", () => withDir(async (dir) => {
  const ip = fakeIp([{ ifname: 'ovsbr', kind: 'tun', mtu: 1500 }]);
  const { ovs, calls } = fakeOvs(['ovsbr']);
  const asked: unknown[] = [];
  const resolveNetwork = (n: string, pg?: string) => { asked.push([n, pg]); return Promise.resolve({ bridge: 'ovsbr', ovs: { vlan: { tags: [20], trunk: false } } }); };
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork, ovs });
  await taps.plug(plan({ uplink: { kind: 'network', network: 'ovsnet', portgroup: 'eng' }, networkOvs: { attachedMac: '52:54:00:00:00:01' } }));
  await taps.plug(plan({ alias: 'net1', uplink: { kind: 'network', network: 'ovsnet' }, networkOvs: { attachedMac: '52:54:00:00:00:02', vlan: { tags: [30], trunk: false } } }));
  assert.deepEqual(asked, [['ovsnet', 'eng'], ['ovsnet', undefined]]);
  assert.deepEqual(calls.filter((c) => c.includes('add-port')).map((c) => /add-port ovsbr (\S+) (tag=\d+)/.exec(c)?.slice(1)), [['vnet0', 'tag=20'], ['vnet1', 'tag=30']]);
  assert.deepEqual((await readTapRecord(dir)).map((e) => e.ovs), [true, true]);
}));

test('a MAC another tap on the same bridge carries: MAC_IN_USE, nothing made; on another bridge it is fine; a network tap records its bridge', () => withDir(async (dir) => {
  const ip = fakeIp([
    { ifname: 'br0', kind: 'bridge', mtu: 1500 }, { ifname: 'br1', kind: 'bridge', mtu: 1500 },
    { ifname: 'vnet7', kind: 'tun', mtu: 1500, master: 'br0', address: 'FE:54:00:00:00:01' },
  ]);
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: async () => ({ bridge: 'br1' }) });
  await assert.rejects(taps.plug(plan()), code('MAC_IN_USE', /vnet7/));
  assert.deepEqual(ip.calls.filter((c) => !c.startsWith('-j')), [], 'nothing was made');
  assert.deepEqual(await readTapRecord(dir), []);
  const name = await taps.plug(plan({ uplink: { kind: 'network', network: 'n1' } }));
  assert.deepEqual(await readTapRecord(dir), [{ alias: 'net0', name, bridge: 'br1' }]);
  assert.deepEqual(taps.bridges(), { net0: 'br1' });
  assert.deepEqual(await taps.removeAll(), []);
}));

test('a MAC another port of the same OVS bridge carries: MAC_IN_USE before any tap; a port elsewhere is fine', () => withDir(async (dir) => {
  const ip = fakeIp([
    { ifname: 'ovsbr', kind: 'tun', mtu: 1500 }, { ifname: 'ovsbr2', kind: 'tun', mtu: 1500 },
    { ifname: 'vnet7', kind: 'tun', mtu: 1500, address: 'FE:54:00:00:00:01' },
  ]);
  const { ovs } = fakeOvs(['ovsbr', 'ovsbr2'], { ovsbr: ['vnet7'] });
  const taps = DomainTaps.empty(dir, { links: new Links({ run: ip.run }), namer: new TapNamer(), resolveNetwork: undefined, ovs });
  const port = { attachedMac: '52:54:00:00:00:01' };
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'ovsbr' }, ovs: port })),
    code('MAC_IN_USE', /on Open vSwitch bridge ovsbr has this interface's MAC \(its tap vnet7 carries fe:54:00:00:00:01/));
  assert.deepEqual(ip.links.map((l) => l.ifname), ['ovsbr', 'ovsbr2', 'vnet7'], 'no tap made');
  assert.deepEqual(await readTapRecord(dir).catch(() => []), []);
  assert.equal(await taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'ovsbr2' }, ovs: port })), 'vnet0');
}));
