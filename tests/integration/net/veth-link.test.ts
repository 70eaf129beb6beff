// <virtkit:link> veth links with real guests (TCG): two Linux bridges of the test, a guest on
// each (static addresses in one subnet): no ping before the link, ping once applyVethLink joined
// the bridges, none after removeVethLink. A bridge linked to a namespace of the test: the peer
// end is inside it with its address and route, and the guest pings that address. After the
// suite: no bridge, veth, tap or namespace of the test is left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseNetworkXml } from '../../../src/core/xml/network/index.js';
import { runIp } from '../../../src/host/net/ip-runner.js';
import { NetNamespaces } from '../../../src/host/net/netns.js';
import { applyVethLink, planVethLink, removeVethLink } from '../../../src/host/net/veth-link.js';
import { assertNoLeftovers, createHarness, type Harness } from '../lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, bridgeInterfaceXml, guestDomainXml, leaseLine } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { hostLinks, linksNamed } from '../../helpers/net-lab.js';
import { until } from '../../helpers/wait.js';

const tag = `vkv${process.pid % 10000}`;
const [brA, brB, ns] = [`${tag}a`, `${tag}b`, `${tag}ns`];
const mac = (i: number): string => `52:54:00:7d:00:${i.toString(16).padStart(2, '0')}`;
const netns = new NetNamespaces();

/** A /24 in 10.215.0.0/16 that no host route touches. */
async function freeSubnet(): Promise<string> {
  const routes = JSON.parse(await runIp(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string }[];
  const used = new Set(routes.flatMap((r) => /^10\.215\.(\d+)\./.exec(r.dst ?? '')?.[1] ?? []));
  for (let i = 0; i < 250; i++) {
    const n = ((process.pid + i) % 250) + 1;
    if (!used.has(String(n))) return `10.215.${n}.`;
  }
  throw new Error('no free /24 in 10.215.0.0/16');
}

/** The <virtkit:link> elements of a network XML with these links, as the network engine gets them. */
function linkOf(xml: string) {
  const def = parseNetworkXml(`<network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'><name>${tag}</name><bridge name='${brA}'/>${xml}</network>`);
  const [l] = def.link ?? [];
  assert.ok(l !== undefined);
  return l;
}

describe('<virtkit:link> veth links between bridges and into a namespace', { timeout: 600_000 }, () => {
  let h: Harness;
  let net = '';
  before(async () => {
    net = await freeSubnet();
    for (const br of [brA, brB]) {
      await hostLinks.createBridge(br);
      await hostLinks.setUp(br, true);
    }
    await netns.add(ns);
    h = await createHarness();
  });
  after(async () => {
    await h.close();
    for (const l of [`${tag}ab`, `${tag}n`]) await removeVethLink(l).catch(() => undefined);
    for (const br of [brA, brB]) await hostLinks.deleteIfExists(br);
    if ((await netns.list()).includes(ns)) await netns.delete(ns);
    await assertNoLeftovers(h);
    assert.deepEqual(await linksNamed(tag), [], 'no bridge, veth or tap of the test is left');
    assert.ok(!(await netns.list()).includes(ns), 'the namespace is gone');
  });

  async function boot(name: string, ip: string, devices: string): Promise<GuestShell> {
    const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${ip}/24`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, devices }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    await until(`${name}: eth0 has ${ip}`, () => leaseLine('eth0').exec(shell.text)?.[1] === ip || undefined, 60_000);
    return shell;
  }

  const pings = async (g: GuestShell, ip: string): Promise<boolean> => (await g.run(`ping -c 2 -W 2 ${ip}`)).code === 0;

  it('two bridges: no ping before the link, ping with it, none after it is removed', async () => {
    const g1 = await boot(`${tag}-1`, `${net}11`, bridgeInterfaceXml(brA, mac(1), { target: `${tag}t1` }));
    await boot(`${tag}-2`, `${net}12`, bridgeInterfaceXml(brB, mac(2), { target: `${tag}t2` }));
    assert.equal(await pings(g1, `${net}12`), false, 'the bridges are not joined yet');

    const plan = planVethLink(linkOf(`<virtkit:link dev='${tag}ab'><virtkit:peer network='blue'/></virtkit:link>`),
      { bridge: brA, peerBridge: (n) => (n === 'blue' ? brB : 'none') });
    await applyVethLink(plan);
    const [end, peer] = [await hostLinks.get(`${tag}ab`), await hostLinks.get(`${tag}abp`)];
    assert.deepEqual([end?.kind, end?.master, end?.up, peer?.kind, peer?.master, peer?.up], ['veth', brA, true, 'veth', brB, true]);
    await until('a ping across the link', async () => (await pings(g1, `${net}12`)) || undefined, 30_000);

    assert.equal(await removeVethLink(`${tag}ab`), true);
    assert.deepEqual(await linksNamed(`${tag}ab`), [], 'both ends are gone');
    assert.equal(await pings(g1, `${net}12`), false, 'no ping once the link is removed');
    assert.equal(await removeVethLink(`${tag}ab`), false, 'removing it again is a no-op');
    for (const n of [`${tag}-1`, `${tag}-2`]) await h.engine.dispatch({ kind: 'destroy', name: n });
  });

  it('a bridge and a namespace: the peer end is in the namespace with its address and route; the guest pings it', async () => {
    const g = await boot(`${tag}-3`, `${net}13`, bridgeInterfaceXml(brA, mac(3), { target: `${tag}t3` }));
    assert.equal(await pings(g, `${net}50`), false, 'nothing answers there before the link');
    const plan = planVethLink(linkOf(`<virtkit:link dev='${tag}n'><virtkit:peer netns='${ns}' dev='eth1'/>
      <virtkit:ip address='${net}50' prefix='24'/><virtkit:route address='10.216.0.0' prefix='16' gateway='${net}13'/></virtkit:link>`), { bridge: brA });
    await applyVethLink(plan);
    const inside = JSON.parse(await netns.exec(ns, ['ip', '-j', '-4', 'addr', 'show', 'dev', 'eth1'])) as { addr_info: { local: string }[] }[];
    assert.deepEqual(inside[0]?.addr_info.map((a) => a.local), [`${net}50`]);
    assert.match(await netns.exec(ns, ['ip', 'route', 'show', '10.216.0.0/16']), new RegExp(`via ${net.replace(/\./g, '\\.')}13 dev eth1`));
    await until('a ping into the namespace', async () => (await pings(g, `${net}50`)) || undefined, 30_000);
    // The namespace end learnt the guest's MAC from that exchange: traffic went both ways through the veth.
    assert.match(await netns.exec(ns, ['ip', 'neigh', 'show', 'dev', 'eth1']), new RegExp(`${net.replace(/\./g, '\\.')}13 lladdr ${mac(3)}`));
    assert.equal(await removeVethLink(`${tag}n`), true);
    assert.equal((await netns.exec(ns, ['ip', '-j', 'link', 'show'])).includes('eth1'), false, 'the namespace end went with it');
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-3` });
  });
});
