import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../errors.js';
import { parseNetworkXml } from '../xml/network/index.js';
import type { NetworkDef } from '../xml/network/index.js';
import { applyNetworkUpdate } from './update.js';

const base = parseNetworkXml(`<network>
  <name>lab</name>
  <forward mode='nat' dev='eth0'/>
  <bridge name='virbr9'/>
  <dns><host ip='10.9.0.5'><hostname>db</hostname></host><txt name='t1' value='v'/><srv service='ldap' protocol='tcp' target='db' port='389'/></dns>
  <ip address='10.9.0.1' prefix='24'>
    <dhcp>
      <range start='10.9.0.100' end='10.9.0.199'/>
      <host mac='52:54:00:00:00:01' name='a' ip='10.9.0.10'/>
      <host mac='52:54:00:00:00:02' name='b' ip='10.9.0.11'/>
    </dhcp>
  </ip>
  <ip family='ipv6' address='fd00:9::1' prefix='64'/>
</network>`);

const ovs = parseNetworkXml("<network><name>ovs</name><forward mode='bridge'/><bridge name='ovs0'/><virtualport type='openvswitch'/><portgroup name='p' default='yes'><vlan><tag id='10'/></vlan></portgroup></network>");

function fails(def: NetworkDef, command: string, section: string, xml: string, code: string, msg: RegExp, parentIndex?: number): void {
  assert.throws(
    () => applyNetworkUpdate(def, { command, section, xml, ...(parentIndex === undefined ? {} : { parentIndex }) }),
    (e: unknown) => e instanceof VirtkitError && e.code === code && msg.test(e.message),
  );
}

test('ip-dhcp-host: add-first/add-last place the host, modify replaces the match, delete needs every given field to match', () => {
  const first = applyNetworkUpdate(base, { command: 'add-first', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:03' name='c' ip='10.9.0.12'/>" });
  assert.deepEqual(first.def.ip?.[0]?.dhcp?.host?.map((h) => h.name), ['c', 'a', 'b']);
  assert.equal(first.dnsmasq, 'reload');
  const last = applyNetworkUpdate(base, { command: 'add', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:03' name='c' ip='10.9.0.12'/>" });
  assert.deepEqual(last.def.ip?.[0]?.dhcp?.host?.map((h) => h.name), ['a', 'b', 'c']);
  assert.deepEqual(base.ip?.[0]?.dhcp?.host?.length, 2, 'the input is not modified');
  const mod = applyNetworkUpdate(base, { command: 'modify', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:02' name='b2' ip='10.9.0.20'/>" });
  assert.deepEqual(mod.def.ip?.[0]?.dhcp?.host?.[1], { mac: '52:54:00:00:00:02', name: 'b2', ip: '10.9.0.20' });
  const del = applyNetworkUpdate(base, { command: 'delete', section: 'ip-dhcp-host', xml: "<host mac='52:54:00:00:00:01'/>" });
  assert.deepEqual(del.def.ip?.[0]?.dhcp?.host?.map((h) => h.name), ['b']);
  fails(base, 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09' name='z' ip='10.9.0.10'/>", 'OPERATION_INVALID', /existing DHCP host <host mac='52:54:00:00:00:01'/);
  fails(base, 'delete', 'ip-dhcp-host', "<host mac='52:54:00:00:00:01' name='b'/>", 'OPERATION_INVALID', /no DHCP host matches/);
  fails(base, 'modify', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09' name='z' ip='10.9.0.30'/>", 'OPERATION_INVALID', /add it instead/);
  fails(base, 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09' name='z' ip='10.8.0.30'/>", 'XML_INVALID_VALUE', /outside the network's subnet 10.9.0.0\/24/);
  fails(base, 'add', 'ip-dhcp-host', "<host mac='nope' ip='10.9.0.30'/>", 'XML_INVALID_VALUE', /MAC/);
  fails(base, 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09' ip='10.9.0.30'/>", 'OPERATION_INVALID', /no <ip> element at index 5/, 5);
});

test('ip-dhcp-host with parentIndex: a DHCPv6 host on the second <ip>', () => {
  const r = applyNetworkUpdate(base, { command: 'add', section: 'ip-dhcp-host', parentIndex: 1, xml: "<host id='0:3:0:1:0:16:3e:11:22:33' name='v6' ip='fd00:9::20'/>" });
  assert.deepEqual(r.def.ip?.[1]?.dhcp?.host, [{ id: '0:3:0:1:0:16:3e:11:22:33', name: 'v6', ip: 'fd00:9::20' }]);
});

test('ip-dhcp-range: add and delete (restart dnsmasq), never modify; inside the subnet, of its family', () => {
  const add = applyNetworkUpdate(base, { command: 'add', section: 'ip-dhcp-range', xml: "<range start='10.9.0.200' end='10.9.0.250'/>" });
  assert.deepEqual(add.def.ip?.[0]?.dhcp?.range?.map((r) => r.start), ['10.9.0.100', '10.9.0.200']);
  assert.equal(add.dnsmasq, 'restart');
  const del = applyNetworkUpdate(base, { command: 'delete', section: 'ip-dhcp-range', xml: "<range start='10.9.0.100' end='10.9.0.199'/>" });
  assert.equal(del.def.ip?.[0]?.dhcp?.range, undefined);
  fails(base, 'modify', 'ip-dhcp-range', "<range start='10.9.0.100' end='10.9.0.199'/>", 'UNSUPPORTED_OPERATION', /only added or deleted/);
  fails(base, 'add', 'ip-dhcp-range', "<range start='10.9.0.100' end='10.9.0.199'/>", 'OPERATION_INVALID', /existing DHCP range/);
  fails(base, 'add', 'ip-dhcp-range', "<range start='10.9.1.2' end='10.9.1.9'/>", 'XML_INVALID_VALUE', /outside the network's subnet/);
  fails(base, 'add', 'ip-dhcp-range', "<range start='fd00:9::2' end='fd00:9::9'/>", 'OPERATION_INVALID', /not of the family of its <ip> \(ipv4\)/);
});

test('dns-host, dns-txt, dns-srv: add and delete with libvirt matching, never modify', () => {
  const h = applyNetworkUpdate(base, { command: 'add', section: 'dns-host', xml: "<host ip='10.9.0.6'><hostname>web</hostname></host>" });
  assert.deepEqual(h.def.dns?.host?.map((x) => x.ip), ['10.9.0.5', '10.9.0.6']);
  assert.equal(h.dnsmasq, 'reload');
  assert.equal(applyNetworkUpdate(base, { command: 'delete', section: 'dns-host', xml: '<host><hostname>db</hostname></host>' }).def.dns?.host, undefined);
  const bare = parseNetworkXml("<network><name>b</name><bridge name='b0'/><dns><txt name='t' value='v'/></dns><ip address='10.3.0.1' prefix='24'><dhcp><host mac='52:54:00:00:00:01' ip='10.3.0.5'/></dhcp></ip></network>");
  let emptied = applyNetworkUpdate(bare, { command: 'delete', section: 'dns-txt', xml: "<txt name='t'/>" }).def;
  emptied = applyNetworkUpdate(emptied, { command: 'delete', section: 'ip-dhcp-host', xml: "<host ip='10.3.0.5'/>" }).def;
  assert.deepEqual([emptied.dns, emptied.ip?.[0]?.dhcp], [undefined, undefined], 'no empty <dns/> or <dhcp/> is left');
  fails(base, 'add', 'dns-host', "<host ip='10.9.0.7'><hostname>db</hostname></host>", 'OPERATION_INVALID', /exists already/);
  fails(base, 'modify', 'dns-host', "<host ip='10.9.0.5'><hostname>x</hostname></host>", 'UNSUPPORTED_OPERATION', /only added or deleted/);
  const t = applyNetworkUpdate(base, { command: 'add-first', section: 'dns-txt', xml: "<txt name='t0' value='w'/>" });
  assert.deepEqual(t.def.dns?.txt?.map((x) => x.name), ['t0', 't1']);
  assert.equal(t.dnsmasq, 'restart');
  fails(base, 'delete', 'dns-txt', "<txt name='nope'/>", 'OPERATION_INVALID', /no DNS TXT record is named 'nope'/);
  assert.equal(applyNetworkUpdate(base, { command: 'delete', section: 'dns-srv', xml: "<srv service='ldap' protocol='tcp'/>" }).def.dns?.srv, undefined);
  fails(base, 'add', 'dns-srv', "<srv service='ldap' protocol='tcp'/>", 'OPERATION_INVALID', /exists already/);
  fails(base, 'delete', 'dns-srv', "<srv service='ldap' protocol='udp'/>", 'OPERATION_INVALID', /no DNS SRV record matches/);
});

test('forward-interface and portgroup', () => {
  const fi = applyNetworkUpdate(base, { command: 'delete', section: 'forward-interface', xml: "<interface dev='eth0'/>" });
  assert.deepEqual([fi.def.forward?.interface, fi.def.forward?.dev, fi.dnsmasq], [undefined, undefined, 'none']);
  const bridged = parseNetworkXml("<network><name>br</name><forward mode='passthrough'><interface dev='eth1'/></forward></network>");
  assert.deepEqual(applyNetworkUpdate(bridged, { command: 'add', section: 'forward-interface', xml: "<interface dev='eth2'/>" }).def.forward?.interface, [{ dev: 'eth1' }, { dev: 'eth2' }]);
  fails(bridged, 'add', 'forward-interface', "<interface dev='eth1'/>", 'OPERATION_INVALID', /already/);
  fails(bridged, 'modify', 'forward-interface', "<interface dev='eth1'/>", 'UNSUPPORTED_OPERATION', /only added or deleted/);
  const pg = applyNetworkUpdate(ovs, { command: 'add', section: 'portgroup', xml: "<portgroup name='q'><vlan><tag id='20'/></vlan></portgroup>" });
  assert.deepEqual(pg.def.portgroup?.map((p) => p.name), ['p', 'q']);
  const mod = applyNetworkUpdate(ovs, { command: 'modify', section: 'portgroup', xml: "<portgroup name='p'><vlan><tag id='11'/></vlan></portgroup>" });
  assert.deepEqual(mod.def.portgroup, [{ name: 'p', vlan: { tag: [{ id: 11 }] } }]);
  fails(ovs, 'add', 'portgroup', "<portgroup name='q' default='yes'/>", 'OPERATION_INVALID', /portgroup 'p' is the default already/);
  fails(ovs, 'add', 'portgroup', "<portgroup name='p'/>", 'OPERATION_INVALID', /exists already; use modify/);
  fails(ovs, 'delete', 'portgroup', "<portgroup name='zz'/>", 'OPERATION_INVALID', /no portgroup is named 'zz'/);
});

test('commands and sections: virsh names, precise refusals', () => {
  fails(base, 'append', 'ip-dhcp-host', '<host/>', 'INVALID_ARGUMENT', /not a net-update command/);
  fails(base, 'add', 'dhcp-host', '<host/>', 'INVALID_ARGUMENT', /not a net-update section/);
  fails(base, 'add', 'bridge', "<bridge name='x'/>", 'UNSUPPORTED_OPERATION', /net-edit/);
  fails(base, 'add', 'ip-dhcp-host', "<range start='10.9.0.2' end='10.9.0.3'/>", 'INVALID_XML', /expected <host>/);
  fails(base, 'add', 'ip-dhcp-host', "<host mac='52:54:00:00:00:09' ip='10.9.0.30' colour='red'/>", 'XML_UNSUPPORTED', /colour/);
});
