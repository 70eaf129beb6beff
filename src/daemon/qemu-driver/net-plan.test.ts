import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { parseDomainXml } from '../../core/xml/domain/index.js';
import { planTaps, setSourceBridges, setTapNames, tapMac } from './net-plan.js';

/** A definition with these interfaces, aliased net0.. and with MACs, as prepareDomain leaves it. */
function dom(ifaces: string): ReturnType<typeof parseDomainXml> {
  const def = parseDomainXml(`<domain type='qemu'><name>g</name><memory>262144</memory><os><type>hvm</type></os><devices>${ifaces}</devices></domain>`);
  (def.devices?.interface ?? []).forEach((n, i) => {
    n.alias = { name: `net${i}` };
    n.mac ??= { address: `52:54:00:00:00:0${i}` };
  });
  return def;
}

const code = (c: string) => (e: unknown): boolean => e instanceof VirtkitError && e.code === c;

test('a bridge, a network and a managed ethernet interface get taps; a user one and a tap the user made do not', () => {
  const plans = planTaps(dom(`<interface type='user'/>
    <interface type='bridge'><source bridge='br-x'/><mac address='52:54:00:AB:cd:01'/><mtu size='1400'/><driver queues='4'/></interface>
    <interface type='ethernet'><target dev='mytap' managed='no'/></interface>
    <interface type='ethernet'><target dev='mytap2'/></interface>
    <interface type='ethernet'/>
    <interface type='ethernet'><target dev='given0' managed='yes'/></interface>
    <interface type='network'><source network='default'/><target dev='vnet7'/></interface>`));
  assert.deepEqual(plans, [
    { alias: 'net1', path: '/domain/devices/interface[2]', name: undefined, uplink: { kind: 'bridge', bridge: 'br-x' }, mac: 'fe:54:00:ab:cd:01', mtu: 1400, queues: 4 },
    { alias: 'net4', path: '/domain/devices/interface[5]', name: undefined, uplink: { kind: 'none' }, mac: 'fe:54:00:00:00:04', mtu: undefined, queues: 1 },
    { alias: 'net5', path: '/domain/devices/interface[6]', name: 'given0', uplink: { kind: 'none' }, mac: 'fe:54:00:00:00:05', mtu: undefined, queues: 1 },
    // A requested vnetN is ignored, as libvirt does: the driver picks the name.
    // networkOvs: what its port gets should the network be an Open vSwitch bridge.
    { alias: 'net6', path: '/domain/devices/interface[7]', name: undefined, uplink: { kind: 'network', network: 'default' }, mac: 'fe:54:00:00:00:06', mtu: undefined, queues: 1,
      networkOvs: { attachedMac: '52:54:00:00:00:06' } },
  ]);
});

test('bad tap and bridge names, a missing source, managed=no on a bridge are refused with stable codes', () => {
  assert.throws(() => planTaps(dom("<interface type='bridge'><source bridge='br0'/><target dev='a-tap-name-too-long'/></interface>")),
    (e: unknown) => code('IFACE_NAME_INVALID')(e) && /interface\[1\]\/target\/@dev 'a-tap-name-too-long'.*19 bytes/.test((e as Error).message));
  assert.throws(() => planTaps(dom("<interface type='bridge'><source bridge='bridge-name-too-long'/></interface>")), code('IFACE_NAME_INVALID'));
  assert.throws(() => planTaps(dom("<interface type='bridge'/>")), code('XML_MISSING'));
  assert.throws(() => planTaps(dom("<interface type='bridge'><source bridge='br0'/><target dev='t0' managed='no'/></interface>")), code('XML_CONFLICT'));
});

test('the live definition names each tap by alias', () => {
  const def = dom("<interface type='bridge'><source bridge='br0'/></interface><interface type='ethernet'><target dev='t1' managed='yes'/></interface>");
  setTapNames(def, { net0: 'vnet3', net1: 't1' });
  assert.deepEqual(def.devices?.interface?.map((n) => n.target), [{ dev: 'vnet3' }, { dev: 't1', managed: true }]);
  assert.equal(tapMac('52:54:00:12:34:56'), 'fe:54:00:12:34:56');
});

test("the live definition names a type='network' interface's bridge in <source>, and only that type's", () => {
  const def = dom("<interface type='network'><source network='n1' portgroup='pg'/></interface><interface type='bridge'><source bridge='br0'/></interface>");
  setSourceBridges(def, { net0: 'virbr3', net1: 'other' });
  assert.deepEqual(def.devices?.interface?.map((n) => n.source), [{ network: 'n1', portgroup: 'pg', bridge: 'virbr3' }, { bridge: 'br0' }]);
});

test("<virtualport type='openvswitch'> on a bridge interface: the tap's OVS port settings as libvirt sets them", () => {
  const def = dom(`<interface type='bridge'><source bridge='ovsbr'/><mac address='52:54:00:AA:00:01'/>
      <virtualport type='openvswitch'><parameters interfaceid='09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f' profileid='gold'/></virtualport>
      <vlan trunk='yes'><tag id='42' nativeMode='untagged'/><tag id='47'/></vlan></interface>
    <interface type='bridge'><source bridge='ovsbr'/><virtualport type='openvswitch'/><vlan><tag id='10'/></vlan></interface>
    <interface type='bridge'><source bridge='br0'/><vlan><tag id='10'/></vlan></interface>
    <interface type='network'><source network='ovsnet' portgroup='engineering'/><virtualport type='openvswitch'/></interface>`);
  def.uuid = 'c7a5fdbd-edaf-9455-926a-d65c16db1809';
  const plans = planTaps(def);
  assert.deepEqual(plans.map((p) => p.ovs), [
    { attachedMac: '52:54:00:aa:00:01', ifaceId: '09b11c53-8b5c-4eeb-8f00-d84eaa0aaa4f', profileId: 'gold', vmUuid: def.uuid,
      vlan: { tags: [42, 47], trunk: true, native: { tag: 42, mode: 'untagged' } } },
    { attachedMac: '52:54:00:00:00:01', vmUuid: def.uuid, vlan: { tags: [10], trunk: false } },
    // A Linux bridge (no virtualport) has no OVS port; a network's virtualport is the network's to apply (networkOvs, below).
    undefined, undefined,
  ]);
  assert.deepEqual([plans[3]?.uplink, plans[3]?.networkOvs], [{ kind: 'network', network: 'ovsnet', portgroup: 'engineering' }, { attachedMac: '52:54:00:00:00:03', vmUuid: def.uuid }]);
});
