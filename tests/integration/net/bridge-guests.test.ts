// Domain interfaces on a host bridge with real guests (TCG): the test makes its own bridge with an
// address and a dnsmasq for DHCP on it (tests/helpers/net-lab.ts). Two guests with
// <interface type='bridge'> get taps made by virtkit (vnetN, and a <target dev> of the test's
// prefix), set up as libvirt sets them (MAC fe:..., the bridge's MTU, plugged, up); they get
// leases, ping each other and the bridge; domstats shows the tap counters grow. The taps go when
// QEMU is killed (-9), when the domain is destroyed, and survive a daemon restart (re-attach)
// until the guest stops. Bad input (a long tap name, a missing bridge, a taken name) fails with
// stable codes and leaves nothing. After each test: no tap, bridge or dnsmasq of the test.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../../src/core/errors.js';
import { assertNoLeftovers, createHarness } from '../lifecycle-harness.js';
import type { Harness } from '../lifecycle-harness.js';
import { GUEST_READY_MARKER, bridgeInterfaceXml, guestDomainXml, guestNetAppend, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { hostLinks, linksNamed, startNetLab, type NetLab } from '../../helpers/net-lab.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { isAlive } from '../daemon-harness.js';
import { until } from '../../helpers/wait.js';

const tag = `vkb${process.pid % 10000}`;
const bridge = `${tag}br`;
const mac = (i: number): string => `52:54:00:7b:00:${i.toString(16).padStart(2, '0')}`;

/** The <target dev> of the domain's first interface in its live XML. */
async function tapOf(h: Harness, name: string): Promise<string> {
  const text = await h.engine.dispatch({ kind: 'dumpxml', name });
  const m = /<interface type='bridge'>[^]*?<target dev='([^']+)'/.exec(text);
  assert.ok(m?.[1] !== undefined, `live XML names the tap:\n${text}`);
  return m[1];
}

async function boot(h: Harness, name: string, devices: string): Promise<GuestShell> {
  await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: guestNetAppend(name), devices }) });
  await h.engine.dispatch({ kind: 'start', name });
  await h.remember(name);
  const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
  await shell.waitFor(GUEST_READY_MARKER);
  return shell;
}

const leaseOf = (shell: GuestShell, iface = 'eth0'): Promise<string> =>
  until(`a DHCP lease on ${iface}`, () => leaseLine(iface).exec(shell.text)?.[1], 120_000);

const gone = (tap: string): Promise<true> => until(`tap ${tap} removed`, async () => (await hostLinks.get(tap)) === undefined || undefined, 30_000);

describe('domain interfaces on a host bridge', { timeout: 600_000 }, () => {
  let lab: NetLab;
  let h: Harness;
  before(async () => {
    lab = await startNetLab(bridge);
    h = await createHarness();
  });
  after(async () => {
    await h.close();
    await lab.stop();
    await assertNoLeftovers(h);
    assert.deepEqual(await linksNamed(tag), [], 'no tap or bridge of the test is left');
    assert.deepEqual(processesMentioning(`--interface=${bridge}`), [], 'no dnsmasq of the test is left');
  });

  it('two guests get taps and leases, ping each other and the bridge; counters grow; kill -9 and destroy remove the taps', async () => {
    const g1 = await boot(h, `${tag}-g1`, bridgeInterfaceXml(bridge, mac(1)));
    const g2 = await boot(h, `${tag}-g2`, bridgeInterfaceXml(bridge, mac(2), { target: `${tag}t2` }));
    const tap1 = await tapOf(h, `${tag}-g1`);
    const tap2 = await tapOf(h, `${tag}-g2`);
    assert.match(tap1, /^vnet\d+$/);
    assert.equal(tap2, `${tag}t2`);
    const link1 = await hostLinks.get(tap1);
    const br = await hostLinks.get(bridge);
    assert.deepEqual([link1?.kind, link1?.mac, link1?.master, link1?.up, link1?.mtu], ['tun', 'fe:54:00:7b:00:01', bridge, true, br?.mtu]);
    const [ip1, ip2] = await Promise.all([leaseOf(g1), leaseOf(g2)]);
    assert.ok(ip1.startsWith(lab.subnetPrefix) && ip2.startsWith(lab.subnetPrefix), `${ip1}, ${ip2} in ${lab.subnetPrefix}0/24`);
    assert.equal((await lab.leases()).length, 2);
    const before1 = (await h.engine.dispatch({ kind: 'domstats', name: `${tag}-g1` })).running?.net.find((n) => n.device === tap1);
    await g1.check(`ping -c 2 -W 5 ${ip2}`);
    await g2.check(`ping -c 2 -W 5 ${ip1}`);
    await g1.check(`ping -c 1 -W 5 ${lab.gateway}`);
    const after1 = (await h.engine.dispatch({ kind: 'domstats', name: `${tag}-g1` })).running?.net.find((n) => n.device === tap1);
    assert.ok(before1 !== undefined && after1 !== undefined, 'domstats lists the tap');
    // The guest sent its pings (its tx is the tap's rx) and got answers.
    assert.ok(after1.txPackets >= before1.txPackets + 3 && after1.rxPackets >= before1.rxPackets + 3, JSON.stringify({ before1, after1 }));

    const pid2 = h.engine.ctx.registry.named(`${tag}-g2`).runtime?.pid;
    assert.ok(pid2 !== undefined);
    process.kill(pid2, 'SIGKILL');
    await gone(tap2);
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-g1` });
    assert.equal(await hostLinks.get(tap1), undefined, 'destroy removed the tap');
  });

  it('a restarted daemon keeps the taps of a running guest and removes them when it stops, and those of a guest that died meanwhile', async () => {
    const name = `${tag}-g3`;
    await boot(h, name, bridgeInterfaceXml(bridge, mac(3)));
    const tap = await tapOf(h, name);
    await h.restart();
    assert.equal((await hostLinks.get(tap))?.master, bridge, 'the tap is kept across the restart');
    assert.equal(await tapOf(h, name), tap);
    await h.engine.dispatch({ kind: 'destroy', name });
    assert.equal(await hostLinks.get(tap), undefined, 'the re-attached domain removed its tap');

    // A guest that dies while no daemon runs: the next daemon finds it gone and removes its tap.
    await boot(h, name, bridgeInterfaceXml(bridge, mac(3)));
    const tap2 = await tapOf(h, name);
    const pid = h.engine.ctx.registry.named(name).runtime?.pid;
    assert.ok(pid !== undefined);
    await h.engine.close();
    process.kill(pid, 'SIGKILL');
    await until(`QEMU ${pid} gone`, () => !isAlive(pid) || undefined, 30_000);
    assert.equal((await hostLinks.get(tap2))?.kind, 'tun', 'nobody has removed the tap yet');
    await h.restart();
    assert.equal((await h.engine.dispatch({ kind: 'get', name })).state, 'shutoff');
    assert.equal(await hostLinks.get(tap2), undefined, 'the next daemon removed the tap of the dead guest');
  });

  it('hotplug: a second NIC appears as eth1 and gets a lease; set_link down stops the ping; unplug removes NIC and tap', async () => {
    const name = `${tag}-g4`;
    const shell = await boot(h, name, bridgeInterfaceXml(bridge, mac(8)));
    await leaseOf(shell);
    const hot = `<interface type='bridge'><source bridge='${bridge}'/><mac address='${mac(9)}'/><model type='virtio'/></interface>`;
    await h.engine.dispatch({ kind: 'attachDevice', name, xml: hot, live: true });
    const live = await h.engine.dispatch({ kind: 'dumpxml', name });
    const tap = new RegExp(`<mac address='${mac(9)}'/>[^]*?<target dev='([^']+)'`).exec(live)?.[1];
    assert.ok(tap !== undefined, `the live XML names the new tap:\n${live}`);
    assert.equal((await hostLinks.get(tap))?.master, bridge);
    const ip = await leaseOf(shell, 'eth1');
    assert.ok(ip.startsWith(lab.subnetPrefix));
    await shell.check(`ping -c 1 -W 5 -I eth1 ${lab.gateway}`);
    await h.engine.dispatch({ kind: 'ifSetLink', name, iface: mac(9), state: 'down' });
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<link state='down'\/>/);
    assert.notEqual((await shell.run(`ping -c 2 -W 2 -I eth1 ${lab.gateway}`)).code, 0, 'no ping with the link down');
    await h.engine.dispatch({ kind: 'ifSetLink', name, iface: tap, state: 'up' });
    assert.match(await h.engine.dispatch({ kind: 'dumpxml', name }), /<link state='up'\/>/);
    await until('the ping with the link up again', async () => (await shell.run(`ping -c 1 -W 2 -I eth1 ${lab.gateway}`)).code === 0 || undefined, 60_000);
    await h.engine.dispatch({ kind: 'detachDevice', name, xml: `<interface type='bridge'><mac address='${mac(9)}'/></interface>`, live: true });
    await shell.waitFor('virtkit-guest: eth1 gone');
    assert.equal(await hostLinks.get(tap), undefined, 'the tap of the unplugged NIC is gone');
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name }), new RegExp(mac(9)));
    await h.engine.dispatch({ kind: 'destroy', name });
  });

  it("<driver queues='2'>: a multi-queue tap, QEMU opens two queues, the guest gets its lease; a managed ethernet tap is plugged nowhere", async () => {
    const name = `${tag}-g5`;
    const ethernet = `    <interface type='ethernet'><mac address='${mac(11)}'/><model type='virtio'/></interface>\n`;
    const shell = await boot(h, name, bridgeInterfaceXml(bridge, mac(10), { queues: 2 }) + ethernet);
    const tap = await tapOf(h, name);
    const eth = /<interface type='ethernet'>[^]*?<target dev='([^']+)'/.exec(await h.engine.dispatch({ kind: 'dumpxml', name }))?.[1] ?? '';
    assert.match(eth, /^vnet\d+$/);
    const ethLink = await hostLinks.get(eth);
    assert.deepEqual([ethLink?.kind, ethLink?.mac, ethLink?.master, ethLink?.up], ['tun', 'fe:54:00:7b:00:0b', undefined, true]);
    const flags = Number((await readFile(`/sys/class/net/${tap}/tun_flags`, 'utf8')).trim());
    assert.notEqual(flags & 0x0100, 0, `IFF_MULTI_QUEUE in ${tap}'s tun_flags ${flags.toString(16)}`);
    const argv = h.engine.ctx.registry.named(name).runtime?.handle?.argv ?? [];
    assert.ok(argv.some((a) => a.includes(`"ifname":"${tap}"`) && a.includes('"queues":2')), argv.join(' '));
    assert.ok(argv.some((a) => a.includes('"mq":true') && a.includes('"vectors":6')), argv.join(' '));
    await leaseOf(shell);
    await h.engine.dispatch({ kind: 'destroy', name });
    assert.equal(await hostLinks.get(tap), undefined);
    assert.equal(await hostLinks.get(eth), undefined);
  });

  it('bad input: a tap name over 15 bytes, a missing bridge, a taken tap name; nothing is left behind', async () => {
    const fails = async (name: string, devices: string, code: string, re: RegExp): Promise<void> => {
      await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: guestNetAppend(), devices }) });
      await assert.rejects(h.engine.dispatch({ kind: 'start', name }), (e: unknown) =>
        e instanceof VirtkitError && e.code === code && re.test(e.message));
      assert.equal((await h.engine.dispatch({ kind: 'get', name })).state, 'shutoff');
    };
    await fails(`${tag}-b1`, bridgeInterfaceXml(bridge, mac(4), { target: `${tag}-too-long-name` }), 'IFACE_NAME_INVALID', /target\/@dev .*bytes long/);
    await fails(`${tag}-b2`, bridgeInterfaceXml(`${tag}nobr`, mac(5)), 'BRIDGE_NOT_FOUND', new RegExp(`no bridge '${tag}nobr'`));
    // The second NIC asks for the name of a link that exists (the bridge): the first NIC's tap is undone.
    await fails(`${tag}-b3`, bridgeInterfaceXml(bridge, mac(6), { target: `${tag}t6` }) + bridgeInterfaceXml(bridge, mac(7), { target: bridge }),
      'IFACE_EXISTS', /exists already/);
    assert.deepEqual((await linksNamed(tag)).sort(), [bridge], 'only the test bridge is there');
  });
});
