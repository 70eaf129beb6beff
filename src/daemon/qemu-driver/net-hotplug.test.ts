// QemuLiveNics.attach against a scripted monitor: one hot-plug's commands are written without
// waiting for each answer, and when one fails, exactly what QEMU carried out is undone. With a tap
// (a scripted `ip`), the status write starts once the tap's name is chosen and recorded, while ip
// makes the tap, and the attach, successful or not, ends only after it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testArgvCaps } from '../../../tests/helpers/argv-caps.js';
import { isVirtkitError } from '../../core/errors.js';
import { parseDomainXml, prepareDomain } from '../../core/xml/domain/index.js';
import { parseInterfaceXml } from '../../core/xml/domain/interface-xml.js';
import type { DomainDef } from '../domain-xml.js';
import { ipFailure, type IpRunner } from '../../host/net/ip-runner.js';
import { Links } from '../../host/net/links.js';
import type { Monitor } from './monitor.js';
import { QemuLiveNics } from './net-hotplug.js';
import { DomainTaps, TapNamer } from './net-taps.js';

const SHARED = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";
const domain = (top = ''): DomainDef => prepareDomain(parseDomainXml(`<domain type='qemu'><name>t</name><memory>65536</memory>${top}
  <os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>`), { random: (k) => Buffer.alloc(k, 7) });

let runDir = '';
before(async () => { runDir = await mkdtemp(join(tmpdir(), 'vk-nethotplug-')); });
after(() => rm(runDir, { recursive: true, force: true }));

/**
 * A monitor that records each command and answers it only on the next turn of the event loop, in order;
 * `fail` names the commands QEMU refuses. `unanswered` is how many earlier commands had no answer yet
 * when each command was written.
 */
function setup(fail: readonly string[] = [], top = '', run?: IpRunner) {
  const calls: string[] = [];
  const unanswered: number[] = [];
  let answered = 0;
  const monitor: Monitor = {
    execute: (command) => {
      unanswered.push(calls.length - answered);
      calls.push(command);
      return new Promise((resolve, reject) => setImmediate(() => {
        answered++;
        if (fail.includes(command)) reject(new Error(`QEMU refuses ${command}`));
        else resolve({});
      }));
    },
    onEvent: () => undefined,
    closed: new Promise(() => undefined),
    close: () => undefined,
  };
  let live = domain(top);
  const warnings: string[] = [];
  const taps = DomainTaps.empty(runDir, { links: new Links(run === undefined ? {} : { run }), namer: new TapNamer(), resolveNetwork: undefined });
  const nics = new QemuLiveNics({
    monitor, caps: () => Promise.resolve(testArgvCaps()), prepare: (d) => prepareDomain(d, { random: (k) => Buffer.alloc(k, 9) }),
    live: () => live, setLive: (d) => { live = d; }, taps, unplugTimeoutMs: 1000, warn: (m) => warnings.push(m),
  });
  return { nics, calls, unanswered, warnings, nicCount: () => live.devices?.interface?.length ?? 0 };
}

const USER = "<interface type='user'><mac address='52:54:00:aa:bb:01'/><model type='virtio'/></interface>";
const USER_DOWN = "<interface type='user'><mac address='52:54:00:aa:bb:02'/><model type='virtio'/><link state='down'/></interface>";
const VHOST = "<interface type='vhostuser'><mac address='52:54:00:aa:bb:03'/><source type='unix' path='/tmp/vk-none.sock' mode='client'/><model type='virtio'/></interface>";
const failedWith = (command: string) => (e: unknown): boolean => isVirtkitError(e) && e.code === 'QEMU_FAILED' && e.message.startsWith(`${command} failed: QEMU refuses ${command}`);

describe('NIC hot-plug on a scripted monitor', () => {
  it('writes netdev_add, device_add and set_link before any answer, and records the NIC', async () => {
    const t = setup();
    await t.nics.attach(parseInterfaceXml(USER_DOWN));
    assert.deepEqual(t.calls, ['netdev_add', 'device_add', 'set_link']);
    assert.deepEqual(t.unanswered, [0, 1, 2]);
    assert.equal(t.nicCount(), 1);
  });

  it('device_add refused: the netdev goes (netdev_del), nothing is recorded, the error is the device_add one', async () => {
    const t = setup(['device_add']);
    await assert.rejects(t.nics.attach(parseInterfaceXml(USER)), failedWith('device_add'));
    assert.deepEqual(t.calls, ['netdev_add', 'device_add', 'netdev_del']);
    assert.equal(t.nicCount(), 0);
  });

  it('netdev_add refused: device_add (refused too, no netdev) was sent, nothing to undo, the error is the netdev_add one', async () => {
    const t = setup(['netdev_add', 'device_add']);
    await assert.rejects(t.nics.attach(parseInterfaceXml(USER)), failedWith('netdev_add'));
    assert.deepEqual(t.calls, ['netdev_add', 'device_add']);
    assert.equal(t.nicCount(), 0);
  });

  it('set_link refused: the device (device_del) and the netdev go', async () => {
    const t = setup(['set_link']);
    await assert.rejects(t.nics.attach(parseInterfaceXml(USER_DOWN)), failedWith('set_link'));
    assert.deepEqual(t.calls, ['netdev_add', 'device_add', 'set_link', 'device_del', 'netdev_del']);
    assert.equal(t.nicCount(), 0);
  });

  it('vhost-user: chardev-add first; netdev_add refused: the chardev no netdev took goes (chardev-remove)', async () => {
    const t = setup(['netdev_add', 'device_add'], SHARED);
    await assert.rejects(t.nics.attach(parseInterfaceXml(VHOST)), failedWith('netdev_add'));
    assert.deepEqual(t.calls, ['chardev-add', 'netdev_add', 'device_add', 'chardev-remove']);
    assert.deepEqual(t.unanswered.slice(0, 3), [0, 1, 2]);
  });

  it('vhost-user: device_add refused: netdev_del alone (it takes its chardev with it)', async () => {
    const t = setup(['device_add'], SHARED);
    await assert.rejects(t.nics.attach(parseInterfaceXml(VHOST)), failedWith('device_add'));
    assert.deepEqual(t.calls, ['chardev-add', 'netdev_add', 'device_add', 'netdev_del']);
    assert.equal(t.warnings.length, 0);
  });
});

/**
 * A scripted `ip` with the bridge br0 that answers each call on the next turn of the event loop: every
 * call it got, those it answered, and the taps it made; `failOn` fails the matching calls.
 */
function fakeIp(failOn?: RegExp): { run: IpRunner; calls: string[]; answered: string[] } {
  const calls: string[] = [];
  const answered: string[] = [];
  const taps: string[] = [];
  const run: IpRunner = (args) => {
    const line = args.join(' ');
    calls.push(line);
    return new Promise((resolve, reject) => setImmediate(() => {
      answered.push(line);
      if (failOn?.test(line) === true) { reject(ipFailure(args, 'RTNETLINK answers: Operation not permitted')); return; }
      if (line.startsWith('tuntap add')) taps.push(args[3] ?? '');
      if (line.startsWith('link del')) taps.splice(taps.indexOf(args[3] ?? ''), 1);
      const links = [{ ifname: 'br0', ifindex: 1, mtu: 1500, flags: [], linkinfo: { info_kind: 'bridge' } },
        ...taps.map((t) => ({ ifname: t, ifindex: 2, mtu: 1500, flags: [], linkinfo: { info_kind: 'tun' } }))];
      resolve(line.includes('link show') ? JSON.stringify(links) : '');
    }));
  };
  return { run, calls, answered };
}

const BRIDGED = "<interface type='bridge'><mac address='52:54:00:aa:bb:04'/><source bridge='br0'/><model type='virtio'/></interface>";

describe('NIC hot-plug with a tap: the status write', () => {
  /** `sent` as the engine's: what it saw when called, and whether its write (resolved a turn later) ended. */
  function recorder(t: { calls: string[] }, ip: { answered: string[] }) {
    const seen = { ip: [] as string[], qmp: [] as string[], dev: undefined as string | undefined, bridge: undefined as string | undefined, record: '', ended: false };
    const sent = (next: DomainDef): Promise<void> => {
      seen.ip = [...ip.answered];
      seen.record = readFileSync(join(runDir, 'taps.json'), 'utf8');
      seen.qmp = [...t.calls];
      const nic = next.devices?.interface?.at(-1);
      seen.dev = nic?.target?.dev;
      seen.bridge = nic?.source?.bridge;
      return new Promise((resolve) => setImmediate(() => { seen.ended = true; resolve(); }));
    };
    return { seen, sent };
  }

  it('starts once the tap is named and recorded, before ip made it and before any QMP command; the attach ends after it', async () => {
    const ip = fakeIp();
    const t = setup([], '', ip.run);
    const r = recorder(t, ip);
    const live = await t.nics.attach(parseInterfaceXml(BRIDGED), r.sent);
    assert.deepEqual(r.seen.ip.filter((c) => !c.includes('link show')), [], 'ip had made no tap yet');
    assert.deepEqual(JSON.parse(r.seen.record), { taps: [{ alias: 'net0', name: 'vnet0' }] }, 'taps.json had it');
    assert.deepEqual(r.seen.qmp, []);
    assert.equal(r.seen.dev, 'vnet0');
    assert.equal(r.seen.bridge, 'br0');
    assert.ok(r.seen.ended);
    assert.ok(ip.calls.includes('tuntap add dev vnet0 mode tap'));
    assert.deepEqual(t.calls, ['netdev_add', 'device_add']);
    assert.equal(live.devices?.interface?.at(-1)?.target?.dev, 'vnet0');
  });

  it('the tap\'s settings fail after the write started: the tap goes, no QMP command, the attach rejects after the write ended', async () => {
    const ip = fakeIp(/^link set/);
    const t = setup([], '', ip.run);
    const r = recorder(t, ip);
    await assert.rejects(t.nics.attach(parseInterfaceXml(BRIDGED), r.sent), (e: unknown) => isVirtkitError(e) && /Operation not permitted/.test(e.message));
    assert.equal(r.seen.dev, 'vnet0');
    assert.ok(r.seen.ended, 'the write ended before the rejection');
    assert.ok(ip.calls.includes('link del dev vnet0'), 'the tap made was removed');
    assert.deepEqual(t.calls, []);
    assert.equal(t.nicCount(), 0);
  });

  it('the bridge is missing: refused before a name is chosen, so no status write at all', async () => {
    const ip = fakeIp();
    const t = setup([], '', ip.run);
    const r = recorder(t, ip);
    await assert.rejects(t.nics.attach(parseInterfaceXml(BRIDGED.replace('br0', 'br9')), r.sent), (e: unknown) => isVirtkitError(e) && e.code === 'BRIDGE_NOT_FOUND');
    assert.equal(r.seen.dev, undefined);
    assert.deepEqual(t.calls, []);
  });
});
