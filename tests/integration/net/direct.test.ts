// <interface type='direct'> (macvtap) with real guests (TCG): the "host NIC" is one end of a veth
// pair the test makes; the other end sits in a network namespace of the test with an address,
// standing for the machine on the NIC's segment. virtkit makes a macvtap on the NIC (the guest's
// MAC, the mode asked for), opens its char device /dev/tapIFINDEX and passes the fd to QEMU
// (-netdev tap,fd=3). The guest, with a static address, pings the namespace's address, which
// learns the guest's own MAC; the macvtap goes when the domain is destroyed and when QEMU is killed (-9). A
// missing source NIC fails with IFACE_NOT_FOUND. After each test: no link, namespace or QEMU
// of the test is left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { NetNamespaces } from '../../../src/host/net/netns.js';
import { assertNoLeftovers, createHarness } from '../lifecycle-harness.js';
import type { Harness } from '../lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { hostLinks, linksNamed } from '../../helpers/net-lab.js';
import { until } from '../../helpers/wait.js';

const tag = `vkd${process.pid % 10000}`;
const nic = `${tag}n0`;
const peer = `${tag}n1`;
const ns = `${tag}ns`;
const SUBNET = '10.232.78.';
const mac = (i: number): string => `52:54:00:7d:00:${i.toString(16).padStart(2, '0')}`;
const namespaces = new NetNamespaces();

const directXml = (dev: string, i: number, opts: { mode?: string; target?: string } = {}): string =>
  `    <interface type='direct'><mac address='${mac(i)}'/><source dev='${dev}' mode='${opts.mode ?? 'bridge'}'/>` +
  `${opts.target === undefined ? '' : `<target dev='${opts.target}'/>`}<model type='virtio'/></interface>\n`;

/** The <target dev> of the domain's direct interface in its live XML. */
async function macvtapOf(h: Harness, name: string): Promise<string> {
  const text = await h.engine.dispatch({ kind: 'dumpxml', name });
  const m = /<interface type='direct'>[^]*?<target dev='([^']+)'/.exec(text);
  assert.ok(m?.[1] !== undefined, `live XML names the macvtap:\n${text}`);
  return m[1];
}

const gone = (name: string): Promise<true> => until(`macvtap ${name} removed`, async () => (await hostLinks.get(name)) === undefined || undefined, 30_000);

describe('direct (macvtap) interfaces on a veth NIC', { timeout: 600_000 }, () => {
  let h: Harness;
  before(async () => {
    await namespaces.add(ns);
    await hostLinks.createVeth(nic, peer, { peerNetns: ns });
    await hostLinks.setUp(nic, true);
    await namespaces.exec(ns, ['ip', 'addr', 'add', `${SUBNET}1/24`, 'dev', peer]);
    await namespaces.exec(ns, ['ip', 'link', 'set', peer, 'up']);
    h = await createHarness();
  });
  after(async () => {
    await h.close();
    await hostLinks.deleteIfExists(nic);
    await namespaces.delete(ns);
    await assertNoLeftovers(h);
    assert.deepEqual(await linksNamed(tag), [], 'no link of the test is left');
    assert.ok(!(await namespaces.list()).includes(ns), 'the namespace of the test is gone');
  });

  async function boot(name: string, ip: string, devices: string): Promise<GuestShell> {
    const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${ip}/24`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, devices }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    await until('the static address on eth0', () => leaseLine('eth0').exec(shell.text)?.[1], 60_000);
    return shell;
  }

  it('a guest on a macvtap reaches the NIC segment with its own MAC; destroy and kill -9 remove the macvtap', async () => {
    const name = `${tag}-g1`;
    const shell = await boot(name, `${SUBNET}2`, directXml(nic, 1));
    const tap = await macvtapOf(h, name);
    assert.match(tap, /^macvtap\d+$/);
    const link = await hostLinks.get(tap);
    assert.deepEqual([link?.kind, link?.mac, link?.up], ['macvtap', mac(1), true]);
    const argv = h.engine.ctx.registry.named(name).runtime?.handle?.argv ?? [];
    assert.ok(argv.includes('{"type":"tap","fd":"3","id":"hostnet0"}'), argv.join(' '));
    await until('the ping to the NIC segment', async () => (await shell.run(`ping -c 1 -W 2 ${SUBNET}1`)).code === 0 || undefined, 60_000);
    // The segment saw the guest itself: its address at the guest's own MAC (no ping binary on the host side).
    const neigh = JSON.parse(await namespaces.exec(ns, ['ip', '-j', 'neigh', 'show', 'dev', peer])) as { dst: string; lladdr?: string }[];
    assert.deepEqual(neigh.filter((x) => x.dst === `${SUBNET}2`).map((x) => x.lladdr), [mac(1)], JSON.stringify(neigh));
    await h.engine.dispatch({ kind: 'destroy', name });
    assert.equal(await hostLinks.get(tap), undefined, 'destroy removed the macvtap');

    // A <target dev> of the test's own, mode vepa; QEMU killed: the macvtap goes with it.
    const shell2 = await boot(name, `${SUBNET}3`, directXml(nic, 1, { mode: 'vepa', target: `${tag}m1` }));
    assert.equal(await macvtapOf(h, name), `${tag}m1`);
    await until('the ping in vepa mode', async () => (await shell2.run(`ping -c 1 -W 2 ${SUBNET}1`)).code === 0 || undefined, 60_000);
    const pid = h.engine.ctx.registry.named(name).runtime?.pid;
    assert.ok(pid !== undefined);
    process.kill(pid, 'SIGKILL');
    await gone(`${tag}m1`);
  });

  it('a missing source NIC is IFACE_NOT_FOUND and a taken target name IFACE_EXISTS; nothing is left', async () => {
    const fails = async (name: string, devices: string, code: string, re: RegExp): Promise<void> => {
      await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { devices }) });
      await assert.rejects(h.engine.dispatch({ kind: 'start', name }), (e: unknown) => e instanceof VirtkitError && e.code === code && re.test(e.message));
      assert.equal((await h.engine.dispatch({ kind: 'get', name })).state, 'shutoff');
    };
    await fails(`${tag}-b1`, directXml(`${tag}none`, 2), 'IFACE_NOT_FOUND', new RegExp(`no network interface '${tag}none'`));
    // The second NIC asks for a name in use (the veth): the first one's macvtap is undone.
    await fails(`${tag}-b2`, directXml(nic, 3, { target: `${tag}m3` }) + directXml(nic, 4, { target: nic }), 'IFACE_EXISTS', /exists already/);
    assert.deepEqual(await linksNamed(tag), [nic], 'only the veth NIC is there');
  });
});
