/**
 * A virtkit network on an Open vSwitch bridge (forward mode bridge, <virtualport
 * type='openvswitch'/>, portgroups with VLANs) with real guests (TCG): the test runs its own
 * ovsdb-server and ovs-vswitchd (tests/helpers/ovs.ts, userspace datapath). Four guests with
 * <interface type='network'> in portgroups: two in the default portgroup (VLAN 10) and one
 * naming it, one in portgroup 'twenty' (VLAN 20) with a partner in it: each reaches its VLAN
 * peer and not the other pair; the taps are OVS ports tagged by their portgroup. An unknown
 * portgroup is refused. After the suite: no port, bridge, tap or OVS process of the test is left.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createHarness, type Harness } from '../lifecycle-harness.js';
import { GUEST_APPEND, GUEST_READY_MARKER, GUEST_SHELL, guestDomainXml } from '../../helpers/guest.js';
import { GuestShell } from '../../helpers/guest-shell.js';
import { linksNamed } from '../../helpers/net-lab.js';
import { haveOvs, startOvs, type OvsLab } from '../../helpers/ovs.js';
import { processesMentioning } from '../../helpers/qemu-spawn.js';

const id = randomBytes(2).toString('hex');
const tag = `vkov${id}`;
const BR = `${tag}br`;
const NET = `${tag}n`;
const SUB = `10.232.${parseInt(id.slice(0, 2), 16)}`;
const mac = (i: number): string => `52:54:00:8e:${id.slice(0, 2)}:${i.toString(16).padStart(2, '0')}`;
const skip = await haveOvs() ? false : 'Open vSwitch is not installed (scripts/setup.sh installs openvswitch-switch)';

const netXml = `<network><name>${NET}</name><forward mode='bridge'/><bridge name='${BR}'/><virtualport type='openvswitch'/>
  <portgroup name='ten' default='yes'><vlan><tag id='10'/></vlan></portgroup>
  <portgroup name='twenty'><vlan><tag id='20'/></vlan></portgroup>
</network>`;
const iface = (i: number, pg?: string): string => `<interface type='network'><source network='${NET}'${pg === undefined ? '' : ` portgroup='${pg}'`}/>` +
  `<mac address='${mac(i)}'/><model type='virtio'/></interface>`;

describe('a virtkit network on an Open vSwitch bridge: portgroups with VLANs', { timeout: 600_000, skip }, () => {
  let lab: OvsLab | undefined;
  let h: Harness | undefined;
  before(async () => {
    lab = await startOvs();
    await lab.ovs.addBridge(BR);
    const box: { h?: Harness } = {};
    h = await createHarness({ ovs: lab.ovs, resolveNetwork: (name, pg) => (box.h as Harness).engine.resolveNetwork(name, pg) });
    box.h = h;
  });
  after(async () => {
    if (h !== undefined) {
      for (const r of h.engine.ctx.registry.all()) {
        if (r.runtime?.handle) await r.runtime.handle.destroy({ graceful: false }).catch(() => undefined);
      }
      await h.engine.dispatch({ kind: 'netDestroy', network: NET }).catch(() => undefined);
      await h.close();
    }
    const dir = lab?.dir;
    await lab?.stop();
    assert.deepEqual(await linksNamed(tag), [], 'no tap or bridge of the test is left');
    if (dir !== undefined) assert.deepEqual(processesMentioning(dir), [], 'no ovsdb-server or ovs-vswitchd of the test is left');
  });

  it('guests in one VLAN reach each other, not the other VLAN; ports tagged by portgroup', async () => {
    assert.ok(h !== undefined && lab !== undefined);
    const hh = h;
    await hh.engine.dispatch({ kind: 'netDefine', xml: netXml });
    await hh.engine.dispatch({ kind: 'netStart', network: NET });
    const boot = async (i: number, pg?: string): Promise<GuestShell> => {
      const name = `${tag}-g${i}`;
      const append = `${GUEST_APPEND} ${GUEST_SHELL} virtkit.net=static:${SUB}.${10 + i}/24 virtkit.hostname=${name}`;
      await hh.engine.dispatch({ kind: 'define', xml: await guestDomainXml(name, { append, devices: iface(i, pg) }) });
      await hh.engine.dispatch({ kind: 'start', name });
      await hh.remember(name);
      const g = new GuestShell((await hh.engine.dispatch({ kind: 'console', name })).stream);
      await g.waitFor(GUEST_READY_MARKER);
      return g;
    };
    const [g1, g2, g3, g4] = [await boot(1), await boot(2, 'ten'), await boot(3, 'twenty'), await boot(4, 'twenty')];
    for (const [i, want] of [[1, '10'], [2, '10'], [3, '20'], [4, '20']] as const) {
      const tap = (await hh.engine.dispatch({ kind: 'dumpxml', name: `${tag}-g${i}` })).match(/<target dev='(vnet\d+)'/)?.[1] ?? '';
      assert.equal((await lab.ovs.vsctl(['get', 'port', tap, 'tag'])).trim(), want, `g${i}'s port tag`);
    }
    await g1.check(`ping -c 2 -W 5 ${SUB}.12`);
    await g3.check(`ping -c 2 -W 5 ${SUB}.14`);
    assert.notEqual((await g1.run(`ping -c 2 -W 2 ${SUB}.13`)).code, 0, 'VLAN 10 does not reach VLAN 20');
    assert.notEqual((await g4.run(`ping -c 2 -W 2 ${SUB}.12`)).code, 0, 'VLAN 20 does not reach VLAN 10');
    assert.ok(g2 !== undefined);
    await hh.engine.dispatch({ kind: 'define', xml: await guestDomainXml(`${tag}-bad`, { append: `${GUEST_APPEND} ${GUEST_SHELL}`, devices: iface(9, 'nope') }) });
    await assert.rejects(hh.engine.dispatch({ kind: 'start', name: `${tag}-bad` }), { code: 'XML_INVALID_VALUE' });
    for (const i of [1, 2, 3, 4]) await hh.engine.dispatch({ kind: 'destroy', name: `${tag}-g${i}` });
    await hh.engine.dispatch({ kind: 'netDestroy', network: NET });
    assert.ok(await lab.ovs.bridgeExists(BR), 'the OVS bridge is the admin\'s: kept');
  });
});
