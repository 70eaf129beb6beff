// DomainTaps with a SysNet (host/net/link-view.ts) over a fake /proc and /sys tree: the names, the
// bridge's MTU and the MACs of its ports come from the files, so making a tap on a Linux bridge runs
// no `ip` listing (only `tuntap add` and `link set`); a link that is not a Linux bridge is looked up
// in the listing, for the same refusal as without SysNet (net-taps.test.ts). Removing recorded taps
// deletes a name only if the files say it is a tun/tap; any other link is looked up in the listing.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import type { IpRunner } from '../../host/net/ip-runner.js';
import { SysNet } from '../../host/net/link-view.js';
import { Links } from '../../host/net/links.js';
import type { TapPlan } from './net-plan.js';
import { DomainTaps, readTapRecord, TapNamer } from './net-taps.js';

const plan = (over: Partial<TapPlan> = {}): TapPlan => ({
  alias: 'net0', path: '/domain/devices/interface[1]', name: undefined, uplink: { kind: 'bridge', bridge: 'br0' },
  mac: 'fe:54:00:00:00:01', mtu: undefined, queues: 1, ...over,
});

/** A host with lo, eth9 (a veth) and br0 (MTU 1400) whose port vnet0 carries fe:54:00:00:00:07; `ip` only records its calls. */
async function withHost(fn: (taps: DomainTaps, calls: string[], dir: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'vk-taps-sys-'));
  try {
    await mkdir(join(root, 'proc', 'self', 'net'), { recursive: true });
    await writeFile(join(root, 'proc', 'self', 'net', 'dev'), 'Inter-| Receive\n face |bytes\n    lo: 0\n  eth9: 0\n   br0: 0\n vnet0: 0\n');
    const net = join(root, 'sys', 'class', 'net');
    for (const l of ['lo', 'eth9', 'vnet0']) await mkdir(join(net, l), { recursive: true });
    await mkdir(join(net, 'br0', 'brif', 'vnet0'), { recursive: true });
    await writeFile(join(net, 'br0', 'mtu'), '1400\n');
    await writeFile(join(net, 'vnet0', 'address'), 'fe:54:00:00:00:07\n');
    await writeFile(join(net, 'vnet0', 'mtu'), '1400\n');
    await writeFile(join(net, 'vnet0', 'tun_flags'), '0x1002\n');
    const calls: string[] = [];
    const run: IpRunner = (args) => {
      calls.push(args.join(' '));
      return Promise.resolve(args[0] === '-j' ? JSON.stringify([{ ifname: 'eth9', ifindex: 2, mtu: 1500, linkinfo: { info_kind: 'veth' } }]) : '');
    };
    const sysNet = new SysNet({ procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') });
    await mkdir(join(root, 'run'));
    await fn(DomainTaps.empty(join(root, 'run'), { links: new Links({ run }), sysNet, namer: new TapNamer(), resolveNetwork: undefined }), calls, join(root, 'run'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const code = (c: string, re: RegExp) => (e: unknown): boolean => e instanceof VirtkitError && e.code === c && re.test(e.message);

test('a tap on a Linux bridge: names and MTU from the files, no ip listing', () => withHost(async (taps, calls, dir) => {
  assert.equal(await taps.plug(plan()), 'vnet1', 'vnet0 is taken');
  assert.deepEqual(calls, ['tuntap add dev vnet1 mode tap', 'link set dev vnet1 address fe:54:00:00:00:01 mtu 1400 master br0 up']);
  assert.deepEqual(await readTapRecord(dir), [{ alias: 'net0', name: 'vnet1' }]);
}));

test("a port of the bridge with the tap's MAC: MAC_IN_USE, found in the files", () => withHost(async (taps, calls) => {
  await assert.rejects(taps.plug(plan({ mac: 'fe:54:00:00:00:07' })), code('MAC_IN_USE', /its tap vnet0 carries fe:54:00:00:00:07/));
  await assert.rejects(taps.plug(plan({ name: 'eth9' })), code('IFACE_EXISTS', /'eth9' exists already/));
  assert.deepEqual(calls, []);
}));

test('a link that is not a Linux bridge is looked up in the listing, and refused as without SysNet', () => withHost(async (taps, calls) => {
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'eth9' } })), code('BRIDGE_NOT_FOUND', /'eth9' is a veth device, not a bridge/));
  await assert.rejects(taps.plug(plan({ uplink: { kind: 'bridge', bridge: 'nobr' } })), code('BRIDGE_NOT_FOUND', /no bridge 'nobr'/));
  assert.deepEqual(calls, ['-j -d -s link show']);
}));

test('removal: a recorded name that the files show as a tap is deleted, one that is another kind of link is not', () => withHost(async (_taps, calls, dir) => {
  await writeFile(join(dir, 'taps.json'), JSON.stringify({ taps: [{ alias: 'net0', name: 'vnet0' }, { alias: 'net1', name: 'eth9' }, { alias: 'net2', name: 'gone0' }] }));
  const sysNet = new SysNet({ procRoot: join(dir, '..', 'proc'), sysRoot: join(dir, '..', 'sys') });
  const run: IpRunner = (args) => {
    calls.push(args.join(' '));
    return Promise.resolve(args[0] === '-j' ? JSON.stringify([{ ifname: 'eth9', ifindex: 2, mtu: 1500, linkinfo: { info_kind: 'veth' } }]) : '');
  };
  const taps = await DomainTaps.load(dir, { links: new Links({ run }), sysNet, namer: new TapNamer(), resolveNetwork: undefined });
  assert.deepEqual(await taps.removeAll(), []);
  assert.deepEqual(calls, ['-j -d -s link show', 'link del dev vnet0'], 'eth9 is looked up in the listing and left; gone0 is not there');
  assert.deepEqual(await readTapRecord(dir), []);
}));
