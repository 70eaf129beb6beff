// src/host/net/ovs.ts against a real (private, userspace-datapath) Open vSwitch: a bridge with
// datapath_type=netdev and its internal port as a kernel tap; ports with an access tag, trunks,
// native-tagged and native-untagged VLAN modes, as OVS stores them; listing, port-to-br, del; a
// port whose device does not exist is an error (ovs-vsctl alone would say nothing);
// and a database nobody serves is an error, quickly. No guests. Nothing of the test is left.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { VirtkitError } from '../../src/core/errors.js';
import { Ovs } from '../../src/host/net/ovs.js';
import { hostLinks, linksNamed } from '../helpers/net-lab.js';
import { haveOvs, startOvs, type OvsLab } from '../helpers/ovs.js';
import { processesMentioning } from '../helpers/qemu-spawn.js';

const tag = `vkp${process.pid % 10000}`;
const bridge = `${tag}br`;
const skip = await haveOvs() ? false : 'Open vSwitch is not installed (scripts/setup.sh installs openvswitch-switch)';

describe('the ovs-vsctl wrapper against a private Open vSwitch', { skip }, () => {
  let lab: OvsLab | undefined;
  before(async () => {
    lab = await startOvs();
  });
  after(async () => {
    for (const t of ['t1', 't2', 't3', 't4']) await hostLinks.deleteIfExists(`${tag}${t}`);
    const dir = lab?.dir;
    await lab?.stop();
    assert.deepEqual(await linksNamed(tag), [], 'no bridge or tap of the test is left');
    if (dir !== undefined) assert.deepEqual(processesMentioning(dir), [], 'no OVS process of the test is left');
  });

  it('bridges and ports with each VLAN mode, as OVS stores them', async () => {
    assert.ok(lab !== undefined);
    const { ovs } = lab;
    await ovs.addBridge(bridge);
    await ovs.addBridge(bridge); // --may-exist
    assert.equal(await ovs.bridgeExists(bridge), true);
    assert.equal(await ovs.bridgeExists(`${tag}no`), false);
    assert.equal(await ovs.get('Bridge', bridge, 'datapath_type'), 'netdev');
    assert.equal((await hostLinks.get(bridge))?.kind, 'tun', "the userspace datapath's internal port is a tap");
    const cases = [
      { t: 't1', vlan: { tags: [10], trunk: false }, want: ['[]', '10', '[]'] },
      { t: 't2', vlan: { tags: [42, 47], trunk: true }, want: ['[]', '[]', '[42, 47]'] },
      { t: 't3', vlan: { tags: [42, 47], trunk: true, native: { tag: 42, mode: 'untagged' as const } }, want: ['native-untagged', '42', '[42, 47]'] },
      { t: 't4', vlan: { tags: [42, 47], trunk: true, native: { tag: 47, mode: 'tagged' as const } }, want: ['native-tagged', '47', '[42, 47]'] },
    ];
    for (const c of cases) {
      const port = `${tag}${c.t}`;
      await hostLinks.createTap(port);
      await ovs.addPort({ bridge, port, vlan: c.vlan, attachedMac: '52:54:00:00:00:01', vmUuid: 'c7a5fdbd-edaf-9455-926a-d65c16db1809' });
      const got = [await ovs.get('Port', port, 'vlan_mode'), await ovs.get('Port', port, 'tag'), await ovs.get('Port', port, 'trunks')];
      assert.deepEqual(got, c.want, `${port}: ${JSON.stringify(c.vlan)}`);
    }
    // Re-adding a port replaces it (libvirt's --if-exists del-port first).
    await ovs.addPort({ bridge, port: `${tag}t1`, vlan: { tags: [20], trunk: false } });
    assert.equal(await ovs.get('Port', `${tag}t1`, 'tag'), '20');
    assert.match(await ovs.get('Interface', `${tag}t1`, 'external_ids'), /iface-status=active/);
    assert.deepEqual((await ovs.listPorts(bridge)).sort(), cases.map((c) => `${tag}${c.t}`).sort());
    assert.equal(await ovs.bridgeOf(`${tag}t2`), bridge);
    await ovs.delPort(`${tag}t2`);
    await ovs.delPort(`${tag}t2`, { ifExists: true });
    await assert.rejects(ovs.delPort(`${tag}t2`), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_NET_FAILED' && /no port named/.test(e.message));
    assert.equal(await ovs.bridgeOf(`${tag}t2`), undefined);
    // A port without a device: ovs-vsctl itself succeeds, ovs-vswitchd cannot open it; reported, and the record removed.
    await assert.rejects(ovs.addPort({ bridge, port: `${tag}none` }), (e: unknown) =>
      e instanceof VirtkitError && e.code === 'HOST_NET_FAILED' && new RegExp(`could not add port '${tag}none': could not open network device ${tag}none`).test(e.message));
    assert.equal(await ovs.bridgeOf(`${tag}none`), undefined);
    await ovs.delBridge(bridge);
    assert.equal(await hostLinks.get(bridge), undefined, 'del-br removes the internal port');
    await ovs.delBridge(bridge, { ifExists: true });
  });

  it('a database nobody serves: HOST_NET_FAILED quoting ovs-vsctl, not a hang', async () => {
    assert.ok(lab !== undefined);
    const nobody = new Ovs({ db: `${lab.dir}/nobody.sock`, timeoutS: 2 });
    await assert.rejects(nobody.bridgeExists('x'), (e: unknown) => e instanceof VirtkitError && e.code === 'HOST_NET_FAILED' && /database connection failed/.test(e.message));
  });
});
