/**
 * Real guests (TCG) on virtkit's own networks. A NAT network (bridge vkn8g..., a random
 * 10.221.N.0/24): two guests with <interface type='network'> get leases from its dnsmasq,
 * resolve each other's names through it (busybox nslookup NAME GATEWAY), ping each other and
 * the gateway; the leases show in netLeases; a guest reaches an "outside" host (a network
 * namespace of the test, joined to the host by a veth pair) and the outside sees the host-side
 * address (masquerade); net-update adds a DHCP host live and a new guest with that MAC gets that
 * address while the old leases stay; a NIC hotplugged on the network gets a lease. An isolated network: guests reach each other, not the
 * outside. A domain on an inactive network is refused (NETWORK_INACTIVE). After the file: no
 * bridge, tap, veth, namespace, dnsmasq or nft table of the test is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../lifecycle-harness.js';
import { GUEST_READY_MARKER, guestDomainXml, guestNetAppend, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { linksNamed } from '../../helpers/net-lab.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';
import { until } from '../../helpers/wait.js';

const run = promisify(execFile);
const id = randomBytes(2).toString('hex');
const tag = `vkn8${id}`;
const NAT = `${tag}nat`;
const ISO = `${tag}iso`;
const n = randomInt(10, 250);
const NAT_SUB = `10.221.${n}`;
const ISO_SUB = `10.222.${n}`;
const OUT_SUB = `10.223.${n}`;
const NS = `${tag}-out`;
const mac = (i: number): string => `52:54:00:8a:${id.slice(0, 2)}:${i.toString(16).padStart(2, '0')}`;

const netXml = (name: string, bridge: string, sub: string, nat: boolean): string => `<network>
  <name>${name}</name>
${nat ? "  <forward mode='nat'/>\n" : ''}  <bridge name='${bridge}'/>
  <ip address='${sub}.1' netmask='255.255.255.0'>
    <dhcp><range start='${sub}.100' end='${sub}.199'/></dhcp>
  </ip>
</network>`;

const ifaceXml = (network: string, m: string): string =>
  `    <interface type='network'>\n      <source network='${network}'/>\n      <mac address='${m}'/>\n      <model type='virtio'/>\n    </interface>\n`;

describe('guests on virtkit networks (NAT, isolated)', { timeout: 600_000 }, () => {
  let h: Harness;
  before(async () => {
    const harness: { h?: Harness } = {};
    h = await createHarness({ resolveNetwork: (name) => (harness.h as Harness).engine.resolveNetwork(name) });
    harness.h = h;
    await run('ip', ['netns', 'add', NS]);
    await run('ip', ['link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}o`, 'netns', NS]);
    await run('ip', ['addr', 'add', `${OUT_SUB}.1/24`, 'dev', `${tag}h`]);
    await run('ip', ['link', 'set', `${tag}h`, 'up']);
    await run('ip', ['-n', NS, 'addr', 'add', `${OUT_SUB}.2/24`, 'dev', `${tag}o`]);
    await run('ip', ['-n', NS, 'link', 'set', `${tag}o`, 'up']);
    // The outside counts the pings it gets from the host-side address (its own table, in its namespace).
    await run('ip', ['netns', 'exec', NS, 'nft', 'add table inet probe; add chain inet probe input { type filter hook input priority 0; }; ' +
      `add rule inet probe input ip saddr ${OUT_SUB}.1 icmp type echo-request counter`]);
  });
  after(async () => {
    for (const r of h.engine.ctx.registry.all()) {
      if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
    }
    for (const net of [NAT, ISO]) await h.engine.dispatch({ kind: 'netDestroy', network: net }).catch(() => undefined);
    await h.close().catch(() => rm(h.root, { recursive: true, force: true }));
    await run('ip', ['netns', 'del', NS]).catch(() => undefined);
    await run('ip', ['link', 'del', `${tag}h`]).catch(() => undefined);
    assert.deepEqual(await linksNamed(tag), [], 'no bridge, tap or veth of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    assert.deepEqual(processesMentioning(`/${NAT}.conf`), [], 'no dnsmasq of the test is left');
    assert.deepEqual(processesMentioning(`/${ISO}.conf`), [], 'no dnsmasq of the test is left');
  });

  async function boot(name: string, devices: string): Promise<GuestShell> {
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append: guestNetAppend(name), devices }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    return shell;
  }
  const leaseOf = (shell: GuestShell): Promise<string> => until('a DHCP lease on eth0', () => leaseLine('eth0').exec(shell.text)?.[1], 120_000);

  it('NAT: leases, names through dnsmasq, pings, leases listed, the outside reached by masquerade, net-update live', async () => {
    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(NAT, `${tag}g`, NAT_SUB, true) });
    // A domain on a network that is not running is refused, naming it.
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(`${tag}-g0`, { append: guestNetAppend(`${tag}-g0`), devices: ifaceXml(NAT, mac(0)) }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: `${tag}-g0` }), { code: 'NETWORK_INACTIVE' });
    await h.engine.dispatch({ kind: 'undefine', name: `${tag}-g0` });
    await h.engine.dispatch({ kind: 'netStart', network: NAT });

    const g1 = await boot(`${tag}-g1`, ifaceXml(NAT, mac(1)));
    const g2 = await boot(`${tag}-g2`, ifaceXml(NAT, mac(2)));
    const [ip1, ip2] = await Promise.all([leaseOf(g1), leaseOf(g2)]);
    assert.ok(ip1.startsWith(`${NAT_SUB}.`) && ip2.startsWith(`${NAT_SUB}.`), `${ip1}, ${ip2}`);
    const leases = await until('two leases in the lease file', async () => {
      const l = await h.engine.dispatch({ kind: 'netLeases', network: NAT });
      return l.length === 2 ? l : undefined;
    }, 30_000);
    assert.deepEqual(leases.map((l) => `${l.mac ?? ''} ${l.ip}/${l.prefix} ${l.hostname ?? ''}`).sort(),
      [`${mac(1)} ${ip1}/24 ${tag}-g1`, `${mac(2)} ${ip2}/24 ${tag}-g2`]);
    assert.deepEqual((await h.engine.dispatch({ kind: 'netLeases', network: NAT, mac: mac(2) })).map((l) => l.ip), [ip2]);

    const addrs = await h.engine.dispatch({ kind: 'domIfAddr', name: `${tag}-g1` });
    assert.deepEqual(addrs.map((a) => [a.mac, a.addrs]), [[mac(1), [{ type: 'ipv4', addr: ip1, prefix: 24 }]]]);
    assert.match(addrs[0]?.name ?? '', /^vnet\d+$/);
    await g1.check(`ping -c 2 -W 5 ${ip2}`);
    await g2.check(`ping -c 2 -W 5 ${ip1}`);
    await g1.check(`ping -c 1 -W 5 ${NAT_SUB}.1`);
    assert.match(await g1.check(`nslookup ${tag}-g2 ${NAT_SUB}.1`), new RegExp(`Address:? +(1: +)?${ip2.replace(/\./g, '\\.')}`));
    assert.match(await g2.check(`nslookup ${tag}-g1 ${NAT_SUB}.1`), new RegExp(`Address:? +(1: +)?${ip1.replace(/\./g, '\\.')}`));

    // The outside: reached through the host, seen from the host-side address.
    // The default route came with the lease (the network's address as the DHCP router option).
    assert.match(await g1.check('ip route show'), new RegExp(`^default via ${NAT_SUB.replace(/\./g, '\\.')}\\.1 dev eth0`, 'm'));
    await g1.check(`ping -c 2 -W 5 ${OUT_SUB}.2`);
    const counted = (await run('ip', ['netns', 'exec', NS, 'nft', 'list', 'table', 'inet', 'probe'])).stdout;
    assert.match(counted, /counter packets [1-9]/, `the outside saw pings from ${OUT_SUB}.1:\n${counted}`);

    // net-update: a DHCP host added live; a new guest with that MAC gets that address; the old leases stay.
    await h.engine.dispatch({
      kind: 'netUpdate', network: NAT, live: true, config: true,
      update: { command: 'add', section: 'ip-dhcp-host', xml: `<host mac='${mac(3)}' name='${tag}-g3' ip='${NAT_SUB}.50'/>` },
    });
    assert.match(await h.engine.dispatch({ kind: 'netXml', network: NAT }), new RegExp(`<host mac='${mac(3)}'`));
    assert.match(await h.engine.dispatch({ kind: 'netXml', network: NAT, inactive: true }), new RegExp(`<host mac='${mac(3)}'`));
    const g3 = await boot(`${tag}-g3`, ifaceXml(NAT, mac(3)));
    assert.equal(await leaseOf(g3), `${NAT_SUB}.50`);
    const all = await until('three leases', async () => {
      const l = await h.engine.dispatch({ kind: 'netLeases', network: NAT });
      return l.length === 3 ? l : undefined;
    }, 30_000);
    assert.deepEqual(all.map((l) => l.ip).sort(), [ip1, ip2, `${NAT_SUB}.50`].sort());
    await g3.check(`ping -c 1 -W 5 ${ip1}`);

    // Hotplug of a NIC on the network: eth1 gets a lease from its dnsmasq; unplugged again.
    const hot = `<interface type='network'><source network='${NAT}'/><mac address='${mac(6)}'/><model type='virtio'/></interface>`;
    await h.engine.dispatch({ kind: 'attachDevice', name: `${tag}-g2`, xml: hot, live: true });
    const hotIp = await until('a DHCP lease on eth1', () => leaseLine('eth1').exec(g2.text)?.[1], 120_000);
    assert.ok(hotIp.startsWith(`${NAT_SUB}.`), hotIp);
    assert.deepEqual((await h.engine.dispatch({ kind: 'netLeases', network: NAT, mac: mac(6) })).map((l) => l.ip), [hotIp]);
    await h.engine.dispatch({ kind: 'detachDevice', name: `${tag}-g2`, xml: `<interface type='network'><mac address='${mac(6)}'/></interface>`, live: true });
    await g2.waitFor('virtkit-guest: eth1 gone');

    const taps = [];
    for (const g of ['g1', 'g2', 'g3']) taps.push(...(await h.engine.dispatch({ kind: 'domIfAddr', name: `${tag}-${g}` })).map((a) => a.name));
    assert.equal(taps.length, 3);
    for (const g of ['g1', 'g2', 'g3']) await h.engine.dispatch({ kind: 'destroy', name: `${tag}-${g}` });
    const left = (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string }[]).map((l) => l.ifname);
    assert.deepEqual(taps.filter((t) => left.includes(t)), [], 'the guests\' taps are gone');
    await h.engine.dispatch({ kind: 'netDestroy', network: NAT });
    assert.deepEqual(await linksNamed(`${tag}g`), [], 'the bridge is gone');
  });

  it('isolated: guests reach each other, not the outside', async () => {
    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(ISO, `${tag}i`, ISO_SUB, false) });
    await h.engine.dispatch({ kind: 'netStart', network: ISO });
    const g4 = await boot(`${tag}-g4`, ifaceXml(ISO, mac(4)));
    const g5 = await boot(`${tag}-g5`, ifaceXml(ISO, mac(5)));
    const [ip4, ip5] = await Promise.all([leaseOf(g4), leaseOf(g5)]);
    await g4.check(`ping -c 2 -W 5 ${ip5}`);
    await g5.check(`ping -c 1 -W 5 ${ISO_SUB}.1`);
    assert.notEqual((await g4.run(`ping -c 2 -W 2 ${OUT_SUB}.2`)).code, 0, 'an isolated guest does not reach the outside');
    assert.ok(ip4 !== ip5);
    for (const g of ['g4', 'g5']) await h.engine.dispatch({ kind: 'destroy', name: `${tag}-${g}` });
    await h.engine.dispatch({ kind: 'netDestroy', network: ISO });
  });
});
