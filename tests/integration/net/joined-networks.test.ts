/**
 * Joined networks with real guests (TCG). Two isolated virtkit networks A and B (random
 * 10.227.N.0/24 and 10.228.N.0/24; DHCP serves each guest's MAC only, so no dnsmasq answers the
 * other network's guest across the link), a guest on each with an on-link route to the other's
 * subnet: no ping before net-link; ping once net-link joined them (and STP let the new ports forward) (one L2 segment: the isolated
 * networks' firewall lets traffic within a bridge through); the link is in both definitions
 * (running and stored) and in A's dry-run; destroying B takes the link, starting B again makes
 * it again; net-unlink removes it from the host and the definitions (no ping). A network whose
 * <virtkit:link> goes into a namespace of the test: net-start puts the peer end there with its
 * address, the guest reaches it, net-destroy removes it. After the file: no bridge, tap, veth,
 * namespace, dnsmasq or nft table of the test is left.
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
const tag = `vkj${id}`;
const [A, B, C] = [`${tag}a`, `${tag}b`, `${tag}c`];
const n = randomInt(10, 250);
const [SA, SB, SC] = [`10.227.${n}`, `10.228.${n}`, `10.229.${n}`];
const NS = `${tag}-ns`;
const LINK = `${tag}l`;
const NSLINK = `${tag}n`;
const mac = (i: number): string => `52:54:00:8b:${id.slice(0, 2)}:${i.toString(16).padStart(2, '0')}`;

const netXml = (name: string, sub: string, m: string, extra = ''): string => `<network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'>
  <name>${name}</name>
  <bridge name='${name}'/>
  <ip address='${sub}.1' netmask='255.255.255.0'>
    <dhcp><host mac='${m}' ip='${sub}.10'/></dhcp>
  </ip>
${extra}</network>`;

const ifaceXml = (network: string, m: string): string =>
  `    <interface type='network'>\n      <source network='${network}'/>\n      <mac address='${m}'/>\n      <model type='virtio'/>\n    </interface>\n`;

describe('joined networks: net-link between two networks, <virtkit:link> into a namespace', { timeout: 600_000 }, () => {
  let h: Harness;
  before(async () => {
    const harness: { h?: Harness } = {};
    h = await createHarness({ resolveNetwork: (name) => (harness.h as Harness).engine.resolveNetwork(name) });
    harness.h = h;
    await run('ip', ['netns', 'add', NS]);
  });
  after(async () => {
    for (const r of h.engine.ctx.registry.all()) {
      if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
    }
    for (const net of [A, B, C]) await h.engine.dispatch({ kind: 'netDestroy', network: net }).catch(() => undefined);
    await h.close().catch(() => rm(h.root, { recursive: true, force: true }));
    await run('ip', ['netns', 'del', NS]).catch(() => undefined);
    assert.deepEqual(await linksNamed(tag), [], 'no bridge, tap or veth of the test is left');
    assert.doesNotMatch((await run('nft', ['list', 'tables'])).stdout, new RegExp(tag), 'no nft table of the test is left');
    for (const net of [A, B, C]) assert.deepEqual(processesMentioning(`/${net}.conf`), [], 'no dnsmasq of the test is left');
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
  /** The bridges run STP (as libvirt's): a new port listens and learns for the forward delay before it forwards. */
  const forwarding = (): Promise<true> => until('both ends of the link forwarding', async () => {
    const ports = JSON.parse((await run('bridge', ['-j', 'link', 'show'])).stdout) as { ifname: string; state?: string }[];
    const ends = ports.filter((p) => p.ifname === LINK || p.ifname === `${LINK}p`);
    return ends.length === 2 && ends.every((p) => p.state === 'forwarding') ? true : undefined;
  }, 60_000);
  const reaches = async (g: GuestShell, ip: string): Promise<boolean> => (await g.run(`ping -c 2 -W 2 ${ip}`)).code === 0;

  it('net-link joins two isolated networks: guests reach each other once joined, not before; kept across a peer restart; net-unlink', async () => {
    for (const [net, sub, m] of [[A, SA, mac(1)], [B, SB, mac(2)]] as const) {
      await h.engine.dispatch({ kind: 'netDefine', xml: netXml(net, sub, m) });
      await h.engine.dispatch({ kind: 'netStart', network: net });
    }
    const ga = await boot(`${tag}-ga`, ifaceXml(A, mac(1)));
    const gb = await boot(`${tag}-gb`, ifaceXml(B, mac(2)));
    assert.deepEqual(await Promise.all([leaseOf(ga), leaseOf(gb)]), [`${SA}.10`, `${SB}.10`]);
    // A second domain with ga's MAC on the same network: refused, nothing of it left.
    const withMac = async (m: string): Promise<string[]> => (JSON.parse((await run('ip', ['-j', 'link', 'show'])).stdout) as { ifname: string; address?: string }[])
      .filter((l) => l.address === `fe${m.slice(2)}`).map((l) => l.ifname);
    const before = await withMac(mac(1));
    assert.equal(before.length, 1, "ga's tap");
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(`${tag}-dup`, { append: guestNetAppend(`${tag}-dup`), devices: ifaceXml(A, mac(1)) }) });
    await assert.rejects(h.engine.dispatch({ kind: 'start', name: `${tag}-dup` }), { code: 'MAC_IN_USE' });
    assert.deepEqual(await withMac(mac(1)), before, 'no tap of it left');
    await h.engine.dispatch({ kind: 'undefine', name: `${tag}-dup` });
    // The live XML names the network's bridge and the tap, as libvirt's does; the stored one neither.
    const live = await h.engine.dispatch({ kind: 'dumpxml', name: `${tag}-ga` });
    assert.match(live, new RegExp(`<source network='${A}' bridge='${A}'/>[^]*<target dev='vnet\\d+'/>`));
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'dumpxml', name: `${tag}-ga`, inactive: true }), /bridge=|<target dev='vnet/);
    await ga.check(`ip route add ${SB}.0/24 dev eth0`);
    await gb.check(`ip route add ${SA}.0/24 dev eth0`);
    assert.equal(await reaches(ga, `${SB}.10`), false, 'not joined yet: no way across');

    await h.engine.dispatch({ kind: 'netLink', network: A, peer: B, dev: LINK });
    assert.deepEqual((await linksNamed(LINK)).sort(), [LINK, `${LINK}p`]);
    await forwarding();
    await ga.check(`ping -c 2 -W 5 ${SB}.10`);
    await gb.check(`ping -c 2 -W 5 ${SA}.10`);
    for (const inactive of [false, true]) {
      assert.match(await h.engine.dispatch({ kind: 'netXml', network: A, inactive }), new RegExp(`<virtkit:link [^>]*dev='${LINK}'[^]*<virtkit:peer network='${B}'/>`));
    }
    const plan = await h.engine.dispatch({ kind: 'netStartDryRun', network: A });
    assert.ok(plan.commands.some((c) => c.join(' ') === `ip link add name ${LINK} type veth peer name ${LINK}p`), JSON.stringify(plan.commands));
    await assert.rejects(h.engine.dispatch({ kind: 'netLink', network: A, peer: B }), { code: 'OPERATION_INVALID' });

    // The peer stops: the link goes with it; the peer starts again: the link is made again.
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-gb` });
    await h.engine.dispatch({ kind: 'netDestroy', network: B });
    assert.deepEqual(await linksNamed(LINK), []);
    await h.engine.dispatch({ kind: 'netStart', network: B });
    assert.deepEqual((await linksNamed(LINK)).sort(), [LINK, `${LINK}p`]);
    await forwarding();
    await h.engine.dispatch({ kind: 'start', name: `${tag}-gb` });
    const gb2 = new GuestShell((await h.engine.dispatch({ kind: 'console', name: `${tag}-gb` })).stream);
    await gb2.waitFor(GUEST_READY_MARKER);
    assert.equal(await leaseOf(gb2), `${SB}.10`);
    await gb2.check(`ip route add ${SA}.0/24 dev eth0`);
    await gb2.check(`ping -c 2 -W 5 ${SA}.10`);

    await h.engine.dispatch({ kind: 'netUnlink', network: A, dev: LINK });
    assert.deepEqual(await linksNamed(LINK), []);
    assert.equal(await reaches(ga, `${SB}.10`), false, 'unlinked: no way across');
    assert.doesNotMatch(await h.engine.dispatch({ kind: 'netXml', network: A, inactive: true }), /virtkit:link/);
    await assert.rejects(h.engine.dispatch({ kind: 'netUnlink', network: A, dev: LINK }), { code: 'NOT_FOUND' });
    for (const g of ['ga', 'gb']) await h.engine.dispatch({ kind: 'destroy', name: `${tag}-${g}` });
    for (const net of [A, B]) await h.engine.dispatch({ kind: 'netDestroy', network: net });
  });

  it('a <virtkit:link> into a namespace: made at net-start with its address, the guest reaches it, removed at net-destroy', async () => {
    const link = `  <virtkit:link dev='${NSLINK}'>\n    <virtkit:peer netns='${NS}' dev='${tag}x'/>\n    <virtkit:ip address='${SC}.50' prefix='24'/>\n  </virtkit:link>\n`;
    await h.engine.dispatch({ kind: 'netDefine', xml: netXml(C, SC, mac(3), link) });
    const plan = await h.engine.dispatch({ kind: 'netStartDryRun', network: C });
    assert.ok(plan.commands.some((c) => c.join(' ') === `ip -n ${NS} addr add ${SC}.50/24 dev ${tag}x`), JSON.stringify(plan.commands));
    await h.engine.dispatch({ kind: 'netStart', network: C });
    assert.match((await run('ip', ['-n', NS, 'addr', 'show', 'dev', `${tag}x`])).stdout, new RegExp(`inet ${SC.replace(/\./g, '\\.')}\\.50/24`));
    const gc = await boot(`${tag}-gc`, ifaceXml(C, mac(3)));
    assert.equal(await leaseOf(gc), `${SC}.10`);
    await gc.check(`ping -c 2 -W 5 ${SC}.50`);
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-gc` });
    await h.engine.dispatch({ kind: 'netDestroy', network: C });
    assert.deepEqual(await linksNamed(NSLINK), []);
    assert.doesNotMatch((await run('ip', ['-n', NS, 'link', 'show'])).stdout, new RegExp(`${tag}x`), 'the namespace end went with it');
  });
});
