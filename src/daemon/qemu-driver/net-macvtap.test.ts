// The macvtap plan of type='direct' interfaces and DomainTaps.plugMacvtap against a scripted
// `ip` (a fake IpRunner keeping a table of links): the record is written before the macvtap is
// made, a failure after it exists removes it, a missing source NIC is IFACE_NOT_FOUND, and
// removal deletes only macvtaps. The real macvtap and guest are in tests/integration/net/direct.test.ts.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml, prepareDomain } from '../../core/xml/domain/index.js';
import { ipFailure, type IpRunner } from '../../host/net/ip-runner.js';
import { Links } from '../../host/net/links.js';
import { macvtapFdNumbers, nextMacvtapName, planMacvtaps } from './net-macvtap.js';
import { DomainTaps, readTapRecord, TapNamer } from './net-taps.js';

let seed = 3;
const random = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);

const prepared = (ifaces: string): ReturnType<typeof prepareDomain> =>
  prepareDomain(parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory><os><type arch='x86_64' machine='pc'>hvm</type></os><devices>${ifaces}</devices></domain>`), { random });

const direct = (src: string, more = ''): string => `<interface type='direct'><mac address='52:54:00:AA:00:01'/><source ${src}/>${more}<model type='virtio'/></interface>`;

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isVirtkitError(e) ? e.code : 'not a VirtkitError';
  }
  return undefined;
}

test("a direct interface plans a macvtap on its source dev: libvirt's default mode vepa, the guest's MAC, a generated name ignored", () => {
  const plans = planMacvtaps(prepared(direct("dev='eth0'", "<target dev='macvtap7'/>") + direct("dev='eth1' mode='passthrough'", "<target dev='mine0'/><driver queues='2'/>").replace('00:01', '00:02')));
  const [a, b] = plans;
  assert.deepEqual(a, { alias: 'net0', path: '/domain/devices/interface[1]', name: undefined, parent: 'eth0', mode: 'vepa', mac: '52:54:00:aa:00:01', queues: 1 });
  assert.deepEqual([b?.name, b?.parent, b?.mode, b?.queues], ['mine0', 'eth1', 'passthrough', 2]);
  // QEMU's fds: 3 for the first, 4 and 5 for the two queues of the second.
  assert.deepEqual(macvtapFdNumbers(plans), { net0: { fds: [3] }, net1: { fds: [4, 5] } });
});

test('a direct interface without a source dev, with a socket mode, or with a too long name is refused', () => {
  assert.equal(code(() => planMacvtaps(prepared(direct("mode='bridge'")))), 'XML_MISSING');
  assert.equal(code(() => planMacvtaps(prepared(direct("dev='eth0' mode='client'")))), 'XML_CONFLICT');
  assert.equal(code(() => planMacvtaps(prepared(direct("dev='eth0'", "<target dev='a-name-far-too-long'/>")))), 'IFACE_NAME_INVALID');
});

test('nextMacvtapName takes the lowest free macvtapN', () => {
  assert.equal(nextMacvtapName(new Set(['macvtap0', 'macvtap2'])), 'macvtap1');
});

interface FakeLink { ifname: string; kind?: string; up?: boolean }

function fakeIp(links: FakeLink[], failOn?: RegExp): { run: IpRunner; calls: string[] } {
  const calls: string[] = [];
  const run: IpRunner = (args) => {
    const line = args.join(' ');
    calls.push(line);
    if (failOn?.test(line) === true) return Promise.reject(ipFailure(args, 'RTNETLINK answers: Operation not permitted'));
    if (line.startsWith('-j -d -s link show')) {
      return Promise.resolve(JSON.stringify(links.map((l, i) => ({ ifname: l.ifname, ifindex: 10 + i, mtu: 1500, flags: l.up === true ? ['UP'] : [], ...(l.kind === undefined ? {} : { linkinfo: { info_kind: l.kind } }) }))));
    }
    if (line.startsWith('link add link')) links.push({ ifname: args[5] ?? '', kind: 'macvtap' });
    else if (line.startsWith('link del')) links.splice(links.findIndex((l) => l.ifname === args[3]), 1);
    else if (line.startsWith('link set')) {
      const l = links.find((x) => x.ifname === args[3]);
      if (l === undefined) return Promise.reject(ipFailure(args, 'Cannot find device'));
      if (args.includes('up')) l.up = true;
    }
    return Promise.resolve('');
  };
  return { run, calls };
}

async function withTaps(links: FakeLink[], failOn: RegExp | undefined, fn: (t: DomainTaps, dir: string, calls: string[]) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vk-macvtap-'));
  try {
    const ip = fakeIp(links, failOn);
    await fn(DomainTaps.empty(dir, { links: new Links({ run: ip.run }), run: ip.run, namer: new TapNamer(), resolveNetwork: undefined }), dir, ip.calls);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const PLAN = planMacvtaps(prepared(direct("dev='eth0' mode='bridge'")))[0] ?? assert.fail('no plan');

test('plugMacvtap makes the next free macvtapN on the NIC with the MAC and mode, records it, sets it up; removeAll deletes only macvtaps', async () => {
  const links: FakeLink[] = [{ ifname: 'eth0' }, { ifname: 'macvtap0', kind: 'veth' }];
  await withTaps(links, undefined, async (taps, dir, calls) => {
    const got = await taps.plugMacvtap(PLAN);
    assert.deepEqual(got, { name: 'macvtap1', index: 12 });
    assert.ok(calls.includes('link add link eth0 name macvtap1 address 52:54:00:aa:00:01 type macvtap mode bridge'), calls.join('\n'));
    assert.deepEqual(await readTapRecord(dir), [{ alias: 'net0', name: 'macvtap1', macvtap: true }]);
    assert.equal(links.find((l) => l.ifname === 'macvtap1')?.up, true);
    assert.deepEqual(await taps.removeAll(), []);
    assert.deepEqual(links.map((l) => l.ifname), ['eth0', 'macvtap0'], 'the veth named macvtap0 is not ours');
  });
});

test('a missing source NIC is IFACE_NOT_FOUND before anything is made; a failure after the macvtap exists removes it', async () => {
  await withTaps([{ ifname: 'eth1' }], undefined, async (taps, dir, calls) => {
    await assert.rejects(taps.plugMacvtap(PLAN), (e: unknown) => isVirtkitError(e) && e.code === 'IFACE_NOT_FOUND');
    assert.ok(!calls.some((c) => c.startsWith('link add')));
    assert.deepEqual(await readTapRecord(dir), []);
  });
  const links: FakeLink[] = [{ ifname: 'eth0' }];
  await withTaps(links, /^link set dev macvtap0 up/, async (taps, dir) => {
    await assert.rejects(taps.plugMacvtap(PLAN), (e: unknown) => isVirtkitError(e) && e.code === 'HOST_NET_FAILED');
    assert.deepEqual(links.map((l) => l.ifname), ['eth0']);
    assert.deepEqual(await readTapRecord(dir), []);
  });
});
