// Domain interfaces on an Open vSwitch bridge with real guests (TCG): the test runs its own
// ovsdb-server and ovs-vswitchd (tests/helpers/ovs.ts) and makes a userspace-datapath bridge
// (datapath_type=netdev: this kernel has no openvswitch module) with an address on its internal
// port. Guests with <interface type='bridge'><virtualport type='openvswitch'/> get taps that
// are ports of that bridge (VLAN tag and libvirt's external-ids on them), have static addresses
// (virtkit.net=static:IP/24) and ping each other and the bridge; four guests in VLANs 10 and 20
// reach their VLAN peer and not the other pair. Ports and taps go at destroy, at QEMU's death
// (-9), after a daemon restart, and at hot-unplug. After the suite: no port, bridge, tap or OVS
// process of the test is left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { assertNoLeftovers, createHarness, type Harness } from './lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml, leaseLine } from '../helpers/guest.js';
import { GuestShell } from '../helpers/guest-shell.js';
import { hostLinks, linksNamed } from '../helpers/net-lab.js';
import { haveOvs, startOvs, type OvsLab } from '../helpers/ovs.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';
import { isAlive } from './daemon-harness.js';
import { runIp } from '../../src/host/net/ip-runner.js';
import { until } from '../helpers/wait.js';

const tag = `vko${process.pid % 10000}`;
const bridge = `${tag}br`;
const mac = (i: number): string => `52:54:00:7c:00:${i.toString(16).padStart(2, '0')}`;
const IFACE_ID = '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f';

/** A /24 in 10.214.0.0/16 that no host route touches. */
async function freeSubnet(): Promise<string> {
  const routes = JSON.parse(await runIp(['-j', '-4', 'route', 'show', 'table', 'all'])) as { dst?: string }[];
  const used = new Set(routes.flatMap((r) => /^10\.214\.(\d+)\./.exec(r.dst ?? '')?.[1] ?? []));
  for (let i = 0; i < 250; i++) {
    const n = ((process.pid + i) % 250) + 1;
    if (!used.has(String(n))) return `10.214.${n}.`;
  }
  throw new Error('no free /24 in 10.214.0.0/16');
}

function ovsInterface(i: number, opts: { vlan?: number; ifaceId?: string; target?: string } = {}): string {
  return `    <interface type='bridge'>
      <source bridge='${bridge}'/>
      <mac address='${mac(i)}'/>
${opts.target === undefined ? '' : `      <target dev='${opts.target}'/>\n`}
      <virtualport type='openvswitch'>${opts.ifaceId === undefined ? '' : `<parameters interfaceid='${opts.ifaceId}'/>`}</virtualport>
${opts.vlan === undefined ? '' : `      <vlan><tag id='${opts.vlan}'/></vlan>\n`}      <model type='virtio'/>
    </interface>
`;
}

const skip = await haveOvs() ? false : 'Open vSwitch is not installed (scripts/setup.sh installs openvswitch-switch)';

describe('domain interfaces on an Open vSwitch bridge (userspace datapath)', { timeout: 600_000, skip }, () => {
  let lab: OvsLab | undefined;
  let h: Harness | undefined;
  let net = '';
  before(async () => {
    net = await freeSubnet();
    lab = await startOvs();
    await lab.ovs.addBridge(bridge);
    await hostLinks.addAddress(bridge, `${net}1/24`);
    await hostLinks.setUp(bridge, true);
    h = await createHarness({ ovs: lab.ovs });
  });
  after(async () => {
    await h?.close();
    const dir = lab?.dir;
    await lab?.stop();
    if (h !== undefined) await assertNoLeftovers(h);
    assert.deepEqual(await linksNamed(tag), [], 'no tap or bridge of the test is left');
    if (dir !== undefined) assert.deepEqual(processesMentioning(dir), [], 'no ovsdb-server or ovs-vswitchd of the test is left');
  });

  const need = (): { h: Harness; lab: OvsLab } => {
    assert.ok(h !== undefined && lab !== undefined);
    return { h, lab };
  };

  async function boot(name: string, ip: string, devices: string): Promise<GuestShell> {
    const { h } = need();
    const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${ip}/24 virtkit.hostname=${name}`;
    await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, devices }) });
    await h.engine.dispatch({ kind: 'start', name });
    await h.remember(name);
    const shell = new GuestShell((await h.engine.dispatch({ kind: 'console', name })).stream);
    await shell.waitFor(GUEST_READY_MARKER);
    await until(`${name}: eth0 has ${ip}`, () => leaseLine('eth0').exec(shell.text)?.[1] === ip || undefined, 60_000);
    return shell;
  }

  async function tapOf(name: string, guestMac: string): Promise<string> {
    const text = await need().h.engine.dispatch({ kind: 'dumpxml', name });
    const m = new RegExp(`<mac address='${guestMac}'/>[^]*?<target dev='([^']+)'`).exec(text);
    assert.ok(m?.[1] !== undefined, `live XML names the tap:\n${text}`);
    return m[1];
  }

  const ports = async (): Promise<string[]> => (await need().lab.ovs.listPorts(bridge)).sort();

  it('two guests on the OVS bridge ping each other and the bridge; ports go at destroy, at kill -9, across daemon restarts', async () => {
    const { h, lab } = need();
    const g1 = await boot(`${tag}-a`, `${net}11`, ovsInterface(1, { ifaceId: IFACE_ID }));
    const g2 = await boot(`${tag}-b`, `${net}12`, ovsInterface(2));
    const [tap1, tap2] = [await tapOf(`${tag}-a`, mac(1)), await tapOf(`${tag}-b`, mac(2))];
    assert.deepEqual(await ports(), [tap1, tap2].sort(), 'the taps are ports of the OVS bridge');
    const link1 = await hostLinks.get(tap1);
    assert.deepEqual([link1?.kind, link1?.mac, link1?.master, link1?.up], ['tun', 'fe:54:00:7c:00:01', undefined, true]);
    const ids = await lab.ovs.get('Interface', tap1, 'external_ids');
    assert.match(ids, new RegExp(`attached-mac="${mac(1)}"`));
    assert.match(ids, new RegExp(`iface-id="${IFACE_ID}"`));
    assert.match(ids, /iface-status=active/);
    const uuid = /<uuid>([^<]+)<\/uuid>/.exec(await h.engine.dispatch({ kind: 'dumpxml', name: `${tag}-a` }))?.[1];
    assert.match(ids, new RegExp(`vm-id="${uuid ?? 'no uuid'}"`));
    assert.equal(await lab.ovs.get('Port', tap1, 'tag'), '[]', 'no VLAN: no tag');

    await g1.check(`ping -c 2 -W 5 ${net}12`);
    await g2.check(`ping -c 2 -W 5 ${net}11`);
    await g1.check(`ping -c 1 -W 5 ${net}1`);

    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-a` });
    assert.equal(await hostLinks.get(tap1), undefined, 'destroy removed the tap');
    assert.deepEqual(await ports(), [tap2], 'and its OVS port');

    await h.restart();
    assert.deepEqual(await ports(), [tap2], 'a daemon restart keeps the port of a running guest');
    const pid2 = h.engine.ctx.registry.named(`${tag}-b`).runtime?.pid;
    assert.ok(pid2 !== undefined);
    process.kill(pid2, 'SIGKILL');
    await until(`tap ${tap2} removed`, async () => (await hostLinks.get(tap2)) === undefined || undefined, 30_000);
    await until('no port left on the bridge', async () => (await ports()).length === 0 || undefined, 30_000);

    // A guest that dies while no daemon runs: the next daemon removes its port and tap.
    await boot(`${tag}-c`, `${net}13`, ovsInterface(3));
    const tap3 = await tapOf(`${tag}-c`, mac(3));
    const pid3 = h.engine.ctx.registry.named(`${tag}-c`).runtime?.pid;
    assert.ok(pid3 !== undefined);
    await h.engine.close();
    process.kill(pid3, 'SIGKILL');
    await until(`QEMU ${pid3} gone`, () => !isAlive(pid3) || undefined, 30_000);
    assert.deepEqual(await ports(), [tap3], 'nobody has removed the port yet');
    await h.restart();
    assert.equal((await h.engine.dispatch({ kind: 'get', name: `${tag}-c` })).state, 'shutoff');
    assert.deepEqual(await ports(), [], 'the next daemon removed the port of the dead guest');
    assert.equal(await hostLinks.get(tap3), undefined, 'and its tap');
  });

  it('VLANs 10 and 20: each guest reaches its VLAN peer and not the other pair', async () => {
    const { h, lab } = need();
    const vlans = [10, 10, 20, 20];
    const names = vlans.map((_, i) => `${tag}-v${i}`);
    const shells = await Promise.all(vlans.map((vlan, i) => boot(names[i] as string, `${net}${21 + i}`, ovsInterface(30 + i, { vlan }))));
    for (const [i, vlan] of vlans.entries()) {
      assert.equal(await lab.ovs.get('Port', await tapOf(names[i] as string, mac(30 + i)), 'tag'), String(vlan));
    }
    const [a10, b10, a20, b20] = shells as [GuestShell, GuestShell, GuestShell, GuestShell];
    await a10.check(`ping -c 2 -W 5 ${net}22`);
    await a20.check(`ping -c 2 -W 5 ${net}24`);
    await b20.check(`ping -c 1 -W 5 ${net}23`);
    for (const [from, to] of [[a10, 23], [a10, 24], [b10, 23], [a20, 21], [b20, 22]] as const) {
      assert.notEqual((await from.run(`ping -c 2 -W 2 ${net}${to}`)).code, 0, `no ping across VLANs to ${net}${to}`);
    }
    // The bridge's own port carries all VLANs tagged, so its untagged address is not reachable from an access port.
    assert.notEqual((await a10.run(`ping -c 1 -W 2 ${net}1`)).code, 0, 'VLAN 10 does not reach the untagged bridge address');
    for (const n of names) await h.engine.dispatch({ kind: 'destroy', name: n });
    assert.deepEqual(await ports(), []);
  });

  it('hotplug: a second NIC with VLAN 10 becomes a port with tag 10 and reaches VLAN 10 (its MAC on another guest: MAC_IN_USE); unplug removes port and tap', async () => {
    const { h, lab } = need();
    const peer = await boot(`${tag}-h1`, `${net}31`, ovsInterface(40, { vlan: 10 }));
    const shell = await boot(`${tag}-h2`, `${net}32`, ovsInterface(41));
    const name = `${tag}-h2`;
    await h.engine.dispatch({ kind: 'attachDevice', name, xml: ovsInterface(42, { vlan: 10 }), live: true });
    const tap = await tapOf(name, mac(42));
    assert.equal(await lab.ovs.get('Port', tap, 'tag'), '10');
    // The same MAC on the other guest's new NIC on this OVS bridge: MAC_IN_USE naming that tap, no port or tap made.
    const portsBefore = await ports();
    await assert.rejects(h.engine.dispatch({ kind: 'attachDevice', name: `${tag}-h1`, xml: ovsInterface(42), live: true }),
      (e: unknown) => e instanceof VirtkitError && e.code === 'MAC_IN_USE' && e.message.includes(`its tap ${tap} carries`));
    assert.deepEqual(await ports(), portsBefore, 'no port was added');
    // The guest runs udhcpc on every later NIC; that one is stopped (no DHCP server here), eth1 gets a static address and eth0 none, so replies leave by eth1.
    await shell.check('while [ ! -f /run/udhcpc.eth1.pid ]; do usleep 100000; done; kill $(cat /run/udhcpc.eth1.pid)');
    await shell.check(`ip addr add ${net}33/24 dev eth1 && ip addr flush dev eth0`);
    await shell.check(`ping -c 2 -W 5 -I eth1 ${net}31`);
    await peer.check(`ping -c 1 -W 5 ${net}33`);
    await h.engine.dispatch({ kind: 'detachDevice', name, xml: `<interface type='bridge'><mac address='${mac(42)}'/></interface>`, live: true });
    await shell.waitFor('virtkit-guest: eth1 gone');
    assert.equal(await hostLinks.get(tap), undefined, 'the tap of the unplugged NIC is gone');
    assert.ok(!(await ports()).includes(tap), 'and its port');
    await h.engine.dispatch({ kind: 'destroy', name });
    await h.engine.dispatch({ kind: 'destroy', name: `${tag}-h1` });
    assert.deepEqual(await ports(), []);
  });

  it('bad input: no such OVS bridge; an OVS bridge without <virtualport>: stable codes, nothing left', async () => {
    const { h } = need();
    const fails = async (name: string, devices: string, re: RegExp): Promise<void> => {
      await h.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { devices }) });
      await assert.rejects(h.engine.dispatch({ kind: 'start', name }), (e: unknown) =>
        e instanceof VirtkitError && e.code === 'BRIDGE_NOT_FOUND' && re.test(e.message));
    };
    await fails(`${tag}-x1`, ovsInterface(50, { target: `${tag}x1` }).replace(`'${bridge}'`, `'${tag}nobr'`), new RegExp(`no Open vSwitch bridge '${tag}nobr'`));
    await fails(`${tag}-x2`, ovsInterface(51, { target: `${tag}x2` }).replace(/<virtualport[^]*?<\/virtualport>/u, ''), /is an Open vSwitch bridge, not a Linux bridge/);
    assert.deepEqual(await linksNamed(`${tag}x`), [], 'no tap was left');
    assert.deepEqual(await ports(), []);
  });
});
