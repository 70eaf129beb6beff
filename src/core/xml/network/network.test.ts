import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seeded } from '../../../../tests/helpers/seeded-random.js';
import { checkNetworkXml, formatNetworkXml, networkSubnets, nextFreeBridgeName, otherNetworkProblems, parseNetworkXml, prepareNetwork, subnetOverlapProblems } from './index.js';

const problems = (xml: string): string[] => checkNetworkXml(xml).map((e) => `${e.code} ${String(e.details?.['path'])}`);
const net = (body: string, attrs = ''): string => `<network${attrs}><name>n</name>${body}</network>`;
const v4 = (dhcp: string, attrs = "address='10.1.0.1' netmask='255.255.255.0'"): string => `<ip ${attrs}><dhcp>${dhcp}</dhcp></ip>`;

test('a DHCP range must lie inside its subnet, in order, without the network or broadcast address', () => {
  assert.deepEqual(problems(net(v4("<range start='10.1.1.2' end='10.1.0.254'/>"))), ['XML_INVALID_VALUE /network/ip/dhcp/range/@start']);
  assert.deepEqual(problems(net(v4("<range start='10.1.0.200' end='10.1.0.100'/>"))), ['XML_INVALID_VALUE /network/ip/dhcp/range']);
  assert.deepEqual(problems(net(v4("<range start='10.1.0.0' end='10.1.0.255'/>"))), [
    'XML_INVALID_VALUE /network/ip/dhcp/range/@start',
    'XML_INVALID_VALUE /network/ip/dhcp/range/@end',
  ]);
  assert.deepEqual(problems(net(v4("<range start='fd00::2' end='fd00::9'/>"))), ['XML_CONFLICT /network/ip/dhcp/range/@start', 'XML_CONFLICT /network/ip/dhcp/range/@end']);
  assert.deepEqual(problems(net(v4("<range start='10.1.0.2' end='10.1.0.254'/>"))), []);
});

test('static hosts: inside the subnet, an IP and a MAC or name (IPv4), an id or name and no MAC (IPv6), one host per MAC', () => {
  assert.deepEqual(problems(net(v4("<host mac='52:54:00:00:00:01' ip='10.2.0.5'/><host name='b'/><host mac='52:54:00:00:00:01' ip='10.1.0.6'/>"))), [
    'XML_INVALID_VALUE /network/ip/dhcp/host[1]/@ip',
    'XML_MISSING /network/ip/dhcp/host[2]',
    'XML_DUPLICATE /network/ip/dhcp/host[3]/@mac',
  ]);
  assert.deepEqual(problems(net(v4("<host ip='fd00::5'/><host mac='52:54:00:00:00:01' name='x' ip='fd00::6'/>", "family='ipv6' address='fd00::1' prefix='64'"))), [
    'XML_MISSING /network/ip/dhcp/host[1]',
    'XML_CONFLICT /network/ip/dhcp/host[2]/@mac',
  ]);
  assert.deepEqual(problems(net(v4("<host mac='01:00:00:00:00:01' ip='10.1.0.5'/>"))), ['XML_INVALID_VALUE /network/ip/dhcp/host/@mac']);
  assert.deepEqual(problems(net(v4("<host mac='52:54:00:zz:00:01' ip='10.1.0.5'/>"))), ['XML_INVALID_VALUE /network/ip/dhcp/host/@mac']);
});

test('one DHCP-serving <ip> per family; netmask or prefix, sane for the family', () => {
  const r = (n: number): string => `<range start='10.${n}.0.2' end='10.${n}.0.9'/>`;
  assert.deepEqual(problems(net(v4(r(1)) + v4(r(2), "address='10.2.0.1' prefix='24'"))), ['XML_CONFLICT /network/ip[2]/dhcp']);
  assert.deepEqual(problems(net("<ip address='10.1.0.1' netmask='255.0.255.0'/>")), ['XML_INVALID_VALUE /network/ip/@netmask']);
  assert.deepEqual(problems(net("<ip address='10.1.0.1' netmask='255.255.0.0' prefix='16'/>")), ['XML_CONFLICT /network/ip']);
  assert.deepEqual(problems(net("<ip address='10.1.0.1' prefix='33'/>")), ['XML_INVALID_VALUE /network/ip/@prefix']);
  assert.deepEqual(problems(net("<ip family='ipv6' address='fd00::1' netmask='255.255.0.0'/>")), ['XML_CONFLICT /network/ip/@netmask']);
  assert.deepEqual(problems(net("<ip family='ipv6' address='10.1.0.1' prefix='24'/>")), ['XML_CONFLICT /network/ip/@address']);
  assert.deepEqual(problems(net("<ip address='10.1.0.300'/>")), ['XML_INVALID_VALUE /network/ip/@address']);
  assert.deepEqual(problems(net("<ip family='ipv6' address='fd00::1' prefix='64'><tftp root='/srv'/></ip>")), ['XML_CONFLICT /network/ip/tftp']);
});

test('forward modes that use the host bridge or NICs have no addresses, DNS or bridge settings', () => {
  assert.deepEqual(problems(net("<forward mode='bridge'/><bridge name='br0' stp='on'/><ip address='10.1.0.1' prefix='24'/><dns/><mac address='52:54:00:00:00:01'/>")), [
    'XML_CONFLICT /network/ip',
    'XML_CONFLICT /network/dns',
    'XML_CONFLICT /network/mac',
    'XML_CONFLICT /network/bridge',
  ]);
  assert.deepEqual(problems(net("<forward mode='vepa'><interface dev='eth0'/></forward><bridge name='br0'/>")), ['XML_CONFLICT /network/bridge']);
  assert.deepEqual(problems(net("<forward mode='nat'/><virtualport type='openvswitch'/>")), ['XML_CONFLICT /network/virtualport']);
  assert.deepEqual(problems(net("<forward mode='route'><nat><port start='1024' end='65535'/></nat></forward>")), ['XML_CONFLICT /network/forward/nat']);
  assert.deepEqual(problems(net("<forward mode='nosuch'/>")), ['XML_INVALID_VALUE /network/forward/@mode']);
});

test('bridge and link names fit the kernel: 15 characters, no / : or blanks', () => {
  assert.deepEqual(problems(net("<bridge name='a-very-long-bridge0'/>")), ['XML_INVALID_VALUE /network/bridge/@name']);
  assert.deepEqual(problems(net("<bridge name='br:0'/>")), ['XML_INVALID_VALUE /network/bridge/@name']);
  assert.match(checkNetworkXml(net("<bridge name='a-very-long-bridge0'/>"))[0]?.message ?? '', /15 characters/);
});

test('DNS, VLAN and portgroup rules', () => {
  assert.deepEqual(problems(net("<dns enable='no'><host ip='10.1.0.5'><hostname>a</hostname></host></dns>")), ['XML_CONFLICT /network/dns']);
  assert.deepEqual(problems(net("<dns><host ip='10.1.0.5'/><srv service='ldap' protocol='sctp'/><forwarder/></dns>")), [
    'XML_MISSING /network/dns/host',
    'XML_INVALID_VALUE /network/dns/srv/@protocol',
    'XML_MISSING /network/dns/forwarder',
  ]);
  const ovs = "<forward mode='bridge'/><bridge name='ovs0'/><virtualport type='openvswitch'/>";
  assert.deepEqual(problems(net(`${ovs}<vlan trunk='no'><tag id='5000'/><tag id='7'/></vlan>`)), ['XML_INVALID_VALUE /network/vlan/tag[1]/@id', 'XML_CONFLICT /network/vlan/@trunk']);
  assert.deepEqual(problems(net(`${ovs}<portgroup name='a' default='yes'/><portgroup name='a' default='yes'/>`)), [
    'XML_DUPLICATE /network/portgroup[2]/@name',
    'XML_CONFLICT /network/portgroup[2]/@default',
  ]);
});

test('unknown elements and attributes are refused with their path; namespaces must be declared', () => {
  assert.deepEqual(problems(net("<bridge name='b' colour='red'/>")), ['XML_UNSUPPORTED /network/bridge/@colour']);
  assert.deepEqual(problems(net('<nosuch/>')), ['XML_UNSUPPORTED /network/nosuch']);
  assert.deepEqual(problems(net("<dnsmasq:options><dnsmasq:option value='x'/></dnsmasq:options>")), ['XML_MISSING /network/@xmlns:dnsmasq']);
  assert.deepEqual(problems(net("<virtkit:link><virtkit:peer network='m'/></virtkit:link>")), ['XML_MISSING /network/virtkit:link/@xmlns:virtkit']);
  assert.deepEqual(checkNetworkXml('<pool/>').map((e) => e.code), ['INVALID_XML']);
});

test('<virtkit:link>: one peer (a network or a namespace), namespace-only addresses, formatted back unchanged', () => {
  const ns = " xmlns:virtkit='https://virtkit.dev/xmlns/network/1'";
  const good = net(
    "<virtkit:link dev='vk-n-m'><virtkit:peer network='m'/></virtkit:link>" +
      "<virtkit:link dev='vk-n-ns'><virtkit:peer netns='blue' dev='eth1'/><virtkit:ip address='10.1.0.50' prefix='24'/><virtkit:route address='0.0.0.0' prefix='0' gateway='10.1.0.1'/></virtkit:link>",
    ns,
  );
  assert.deepEqual(problems(good), []);
  const text = formatNetworkXml(parseNetworkXml(good));
  assert.match(text, /<virtkit:link dev='vk-n-ns'>\n {4}<virtkit:peer netns='blue' dev='eth1'\/>\n {4}<virtkit:ip address='10.1.0.50' prefix='24'\/>/);
  assert.deepEqual(parseNetworkXml(text), parseNetworkXml(good));
  assert.deepEqual(problems(net("<virtkit:link><virtkit:peer network='m' netns='x'/><virtkit:ip address='10.0.0.1' prefix='8'/></virtkit:link>", ns)), [
    'XML_CONFLICT /network/virtkit:link/virtkit:peer',
    'XML_CONFLICT /network/virtkit:link',
  ]);
  assert.deepEqual(problems(net("<virtkit:link dev='much-too-long-name'/>", ns)), ['XML_INVALID_VALUE /network/virtkit:link/@dev', 'XML_MISSING /network/virtkit:link/virtkit:peer']);
});

test('defaults: UUID, NAT for a bare <forward>, interface from forward dev, STP off (on with links) with delay 0, a bridge MAC', () => {
  const def = prepareNetwork(parseNetworkXml(net("<forward dev='eth1'/><ip address='10.1.0.1' prefix='24'/>")), { random: seeded(7) });
  assert.match(def.uuid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(def.forward, { dev: 'eth1', mode: 'nat', interface: [{ dev: 'eth1' }] });
  assert.deepEqual(def.bridge, { stp: false, delay: 0 }, "STP off unless asked for (libvirt: on; defaults.ts says why)");
  assert.match(def.mac?.address ?? '', /^52:54:00(:[0-9a-f]{2}){3}$/);
  const kept = prepareNetwork(parseNetworkXml(net("<bridge name='b' stp='off' delay='2'/><mac address='52:54:00:01:02:03'/>")), { random: seeded(7) });
  assert.deepEqual(kept.bridge, { name: 'b', stp: false, delay: 2 });
  const ns = " xmlns:virtkit='https://virtkit.dev/xmlns/network/1'";
  const linked = prepareNetwork(parseNetworkXml(net("<virtkit:link dev='vk-n-m'><virtkit:peer network='m'/></virtkit:link>", ns)), { random: seeded(7) });
  assert.deepEqual(linked.bridge, { stp: true, delay: 0 }, 'a network joined to others by links runs STP (loops)');
  assert.equal(kept.mac?.address, '52:54:00:01:02:03');
  const bridged = prepareNetwork(parseNetworkXml(net("<forward mode='bridge'/><bridge name='br0'/>")), { random: seeded(7) });
  assert.deepEqual([bridged.bridge, bridged.mac], [{ name: 'br0' }, undefined]);
});

test('nextFreeBridgeName takes the lowest virbrN not in use', () => {
  assert.equal(nextFreeBridgeName([]), 'virbr0');
  assert.equal(nextFreeBridgeName(['virbr0', 'virbr1', 'virbr3']), 'virbr2');
  assert.equal(nextFreeBridgeName(['vk0'], 'vk%d'), 'vk1');
  assert.throws(() => nextFreeBridgeName([], 'br'), /no %d/);
});

test("an <ip> address is a host address, not its subnet's network or broadcast address", () => {
  assert.deepEqual(problems(net("<ip address='10.1.0.0' prefix='24'/>")), ['XML_INVALID_VALUE /network/ip/@address']);
  assert.deepEqual(problems(net("<ip address='10.1.0.255' netmask='255.255.255.0'/>")), ['XML_INVALID_VALUE /network/ip/@address']);
  assert.deepEqual(problems(net("<ip address='10.1.0.1' prefix='31'/>")), []);
});

test('subnetOverlapProblems names each route or network a subnet overlaps, at its <ip>', () => {
  const def = parseNetworkXml(net("<ip address='192.168.122.1' prefix='24'/><ip address='10.5.0.1' prefix='16'/>"));
  const owners = [
    { label: "network 'default'", subnet: { family: 'ipv4' as const, network: 0xc0a87a00n, prefix: 24 } },
    { label: 'route 10.0.0.0/8 dev eth1', subnet: { family: 'ipv4' as const, network: 0x0a000000n, prefix: 8 } },
  ];
  const found = subnetOverlapProblems(def, owners);
  assert.deepEqual(found.map((e) => [e.code, e.details?.['path'], e.details?.['overlaps']]), [
    ['XML_CONFLICT', '/network/ip[1]', "network 'default'"],
    ['XML_CONFLICT', '/network/ip[2]', 'route 10.0.0.0/8 dev eth1'],
  ]);
  assert.match(found[1]?.message ?? '', /the subnet 10\.5\.0\.0\/16 overlaps route 10\.0\.0\.0\/8 dev eth1 \(10\.0\.0\.0\/8\)/);
  assert.deepEqual(networkSubnets(def).map((s) => s.prefix), [24, 16]);
});

test("otherNetworkProblems: another network's bridge name, bridge MAC or subnet", () => {
  const other = parseNetworkXml("<network><name>default</name><bridge name='virbr0'/><mac address='52:54:00:0a:0b:0c'/><ip address='192.168.122.1' prefix='24'/></network>");
  const mine = parseNetworkXml("<network><name>n</name><bridge name='virbr0'/><mac address='52:54:00:0a:0b:0c'/><ip address='192.168.122.129' prefix='25'/></network>");
  const found = otherNetworkProblems(mine, [other]);
  assert.deepEqual(found.map((e) => `${e.code} ${String(e.details?.['path'])}`), ['XML_DUPLICATE /network/bridge/@name', 'XML_DUPLICATE /network/mac/@address', 'XML_CONFLICT /network/ip']);
  assert.match(found[2]?.message ?? '', /overlaps network 'default' \(192\.168\.122\.0\/24\)/);
  assert.deepEqual(otherNetworkProblems(other, [other]), [], 'a network does not conflict with its own older definition');
});
