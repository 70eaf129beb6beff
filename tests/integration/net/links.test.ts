// Host link primitives (src/host/net/links.ts) against the real kernel, all inside a network
// namespace the test makes (named with a per-process prefix) and deletes in `after`, so nothing
// touches the host's own links: bridge with forward delay 0 and no STP, persistent taps (single
// and multi-queue), a veth pair with one end moved into a second namespace, master/nomaster,
// MAC, MTU, up/down, addresses, counters; ip's own errors become stable codes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { Links } from '../../../src/host/net/links.js';
import { NetNamespaces } from '../../../src/host/net/netns.js';

const tag = `vkl${process.pid % 100000}`;
const ns = `${tag}a`;
const ns2 = `${tag}b`;
const namespaces = new NetNamespaces();
const links = new Links({ netns: ns });

const hasCode = (code: string) => (e: unknown): boolean => e instanceof VirtkitError && e.code === code;

describe('host links in a namespace', () => {
  before(async () => {
    await namespaces.add(ns);
    await namespaces.add(ns2);
  });
  after(async () => {
    for (const n of [ns, ns2]) await namespaces.delete(n).catch(() => undefined);
    const left = (await namespaces.list()).filter((n) => n.startsWith(tag));
    assert.deepEqual(left, [], 'the test removed its namespaces');
  });

  it('lists the namespace and its loopback', async () => {
    assert.ok((await namespaces.list()).includes(ns));
    const lo = await links.get('lo');
    assert.equal(lo?.kind, undefined);
    assert.equal(lo?.up, false, 'a new namespace has lo down');
  });

  it('creates a bridge without STP and with forward delay 0, with an address', async () => {
    await links.createBridge('br0', { mtu: 1400 });
    await links.setUp('br0', true);
    await links.addAddress('br0', '192.168.77.1/24');
    const br = await links.get('br0');
    assert.equal(br?.kind, 'bridge');
    assert.equal(br.mtu, 1400);
    assert.equal(br.up, true);
    const v4 = async (): Promise<unknown[]> => (await links.addresses('br0')).filter((a) => a.family === 'inet');
    assert.deepEqual(await v4(), [{ family: 'inet', local: '192.168.77.1', prefixlen: 24 }]);
    const sysfs = (f: string): Promise<string> => namespaces.exec(ns, ['cat', `/sys/class/net/br0/bridge/${f}`]).then((s) => s.trim());
    assert.equal(await sysfs('stp_state'), '0');
    assert.equal(await sysfs('forward_delay'), '0');
    await links.delAddress('br0', '192.168.77.1/24');
    assert.deepEqual(await v4(), []);
  });

  it('creates taps (multi-queue too), sets their MAC and MTU, plugs and unplugs them', async () => {
    await links.createTap('tap0');
    await links.createTap('tapmq', { multiQueue: true });
    const flags = await namespaces.exec(ns, ['cat', '/sys/class/net/tapmq/tun_flags']);
    assert.ok((Number(flags.trim()) & 0x0100) !== 0, `IFF_MULTI_QUEUE in tun_flags ${flags.trim()}`);
    assert.equal((Number((await namespaces.exec(ns, ['cat', '/sys/class/net/tap0/tun_flags'])).trim()) & 0x0100), 0);
    await links.setMac('tap0', 'fe:54:00:12:34:56');
    await links.setMtu('tap0', 1400);
    await links.setMaster('tap0', 'br0');
    await links.setUp('tap0', true);
    const tap = await links.get('tap0');
    assert.equal(tap?.kind, 'tun');
    assert.equal(tap.mac, 'fe:54:00:12:34:56');
    assert.equal(tap.mtu, 1400);
    assert.equal(tap.master, 'br0');
    assert.equal(tap.up, true);
    assert.ok(tap.rx !== undefined && tap.tx !== undefined, 'counters');
    await links.setMaster('tap0', null);
    assert.equal((await links.get('tap0'))?.master, undefined);
    await links.setUp('tap0', false);
    assert.equal((await links.get('tap0'))?.up, false);
    // All of it in one `ip link set` (what a domain's tap gets: net-taps.ts).
    await links.set('tapmq', { mac: 'fe:54:00:12:34:57', mtu: 1400, master: 'br0', up: true });
    const mq = await links.get('tapmq');
    assert.deepEqual([mq?.mac, mq?.mtu, mq?.master, mq?.up], ['fe:54:00:12:34:57', 1400, 'br0', true]);
    assert.equal(await links.deleteIfExists('tapmq'), true);
    assert.equal(await links.deleteIfExists('tapmq'), false);
  });

  it('makes a veth pair across two namespaces and passes traffic over it', async () => {
    await links.createVeth('v-a', 'v-b', { peerNetns: ns2 });
    const other = new Links({ netns: ns2 });
    assert.equal((await other.get('v-b'))?.kind, 'veth');
    await links.addAddress('v-a', '10.77.0.1/30');
    await other.addAddress('v-b', '10.77.0.2/30');
    await links.setUp('v-a', true);
    await other.setUp('v-b', true);
    // The host has no ping: one UDP datagram from node, run inside the namespace.
    const send = "require('node:dgram').createSocket('udp4').send('x', 9, '10.77.0.2', (e) => process.exit(e ? 1 : 0))";
    const rxBefore = (await other.get('v-b'))?.rx?.packets ?? 0;
    await namespaces.exec(ns, [process.execPath, '-e', send]);
    const rxAfter = (await other.get('v-b'))?.rx?.packets ?? 0;
    assert.ok(rxAfter > rxBefore, `v-b received what v-a sent (${rxBefore} -> ${rxAfter} packets)`);
    // Moving a link to another namespace: a second veth pair, its peer moved afterwards.
    await links.createVeth('m-a', 'm-b');
    await links.setNetns('m-b', ns2);
    assert.equal(await links.get('m-b'), undefined);
    assert.equal((await other.get('m-b'))?.kind, 'veth');
    await links.delete('v-a');
    assert.equal(await other.get('v-b'), undefined, 'deleting one end removes its peer');
  });

  it("turns ip's errors into stable codes with ip's stderr", async () => {
    await assert.rejects(links.createTap('tap0'), (e: unknown) => hasCode('IFACE_EXISTS')(e) || hasCode('HOST_NET_FAILED')(e));
    await assert.rejects(links.createBridge('br0'), hasCode('IFACE_EXISTS'));
    await assert.rejects(links.setMaster('tap0', 'nosuchbr'), (e: unknown) =>
      hasCode('HOST_NET_FAILED')(e) && /nosuchbr/.test((e as Error).message) && Array.isArray((e as VirtkitError).details?.['command']));
    await assert.rejects(links.createTap('a-tap-name-too-long'), hasCode('IFACE_NAME_INVALID'));
    await assert.rejects(links.createBridge('bad/name'), hasCode('IFACE_NAME_INVALID'));
    assert.equal(await links.get('a-tap-name-too'), undefined);
  });

});
