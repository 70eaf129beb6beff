import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNetworkXml, prepareNetwork, validateNetwork } from '../xml/network/index.js';
import { firewallNetworkOf, networkStartPlan } from './start-plan.js';

const random = { random: (n: number) => new Uint8Array(n).fill(7) };
const env = { stateDir: '/run/vk/network', dnsmasqVersion: '2.90' };

function prepared(xml: string) {
  const def = prepareNetwork(parseNetworkXml(xml), random);
  validateNetwork(def);
  return def;
}

test('a NAT network: bridge with MAC, MTU, STP and delay, its addresses, up; dnsmasq in the foreground on its conf file; its table', () => {
  const def = prepared(`<network><name>n1</name><forward mode='nat'/><bridge name='vkb0' stp='off' delay='2'/>
    <mac address='52:54:00:aa:bb:cc'/><mtu size='9000'/>
    <ip address='10.210.0.1' netmask='255.255.255.0'><dhcp><range start='10.210.0.2' end='10.210.0.254'/></dhcp></ip></network>`);
  const p = networkStartPlan(def, env);
  assert.deepEqual(p.commands, [
    ['ip', 'link', 'add', 'name', 'vkb0', 'mtu', '9000', 'address', '52:54:00:aa:bb:cc', 'type', 'bridge', 'stp_state', '0', 'forward_delay', '200'],
    ['ip', 'addr', 'add', '10.210.0.1/24', 'dev', 'vkb0'],
    ['ip', 'link', 'set', 'dev', 'vkb0', 'up'],
    ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
  ]);
  assert.deepEqual(p.undoCommands, [['ip', 'link', 'del', 'dev', 'vkb0']]);
  assert.deepEqual(p.dnsmasqArgv, ['dnsmasq', '--keep-in-foreground', '--conf-file=/run/vk/network/n1.conf']);
  assert.match(p.dnsmasqConf, /^interface=vkb0$/m);
  assert.match(p.dnsmasqConf, /^dhcp-leasefile=\/run\/vk\/network\/n1\.leases$/m);
  assert.equal(p.hostsFile, '');
  assert.match(p.nftRuleset, /table inet virtkit_n1 \{/);
  assert.match(p.nftRuleset, /masquerade/);
  assert.equal(p.files.pidFile, '/run/vk/network/n1.pid');
});

test('an isolated network without DHCP: STP off by default (libvirt: on) with delay 0, no hosts file, a table without masquerade', () => {
  const def = prepared(`<network><name>iso</name><bridge name='vkb1'/><ip address='10.211.0.1' prefix='24'/></network>`);
  const p = networkStartPlan(def, env);
  assert.deepEqual(p.commands[0]?.slice(-4), ['stp_state', '0', 'forward_delay', '0']);
  assert.equal(p.hostsFile, null);
  assert.equal(p.commands.length, 3, 'an isolated network forwards nothing: no sysctl');
  assert.equal(firewallNetworkOf(def, 'vkb1')?.mode, 'isolated');
  assert.doesNotMatch(p.nftRuleset, /masquerade/);
});

test('open has no firewall; a bridge network and one without bridge name have no plan', () => {
  const open = prepared(`<network><name>o</name><forward mode='open'/><bridge name='vkb2'/><ip address='10.212.0.1' prefix='24'/></network>`);
  assert.equal(networkStartPlan(open, env).nftRuleset, '');
  const hostBridge = prepared(`<network><name>h</name><forward mode='bridge'/><bridge name='br0'/></network>`);
  assert.throws(() => networkStartPlan(hostBridge, env), { code: 'OPERATION_INVALID' });
  const linked = prepared(`<network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'><name>l</name><bridge name='vkb3'/>
    <virtkit:link dev='vkl0'><virtkit:peer network='other'/></virtkit:link></network>`);
  assert.throws(() => networkStartPlan(linked, env), { code: 'XML_UNSUPPORTED' }, 'links are never dropped silently');
  const noName = prepared(`<network><name>x</name><ip address='10.213.0.1' prefix='24'/></network>`);
  assert.throws(() => networkStartPlan(noName, env), { code: 'XML_MISSING' });
});

test('veth links: their commands follow the bridge; a link whose peer waits is left out of the plan', () => {
  const def = prepared(`<network xmlns:virtkit='https://virtkit.dev/xmlns/network/1'><name>l</name><forward mode='open'/><bridge name='vkb4'/>
    <ip address='10.214.0.1' prefix='24'/>
    <virtkit:link dev='vkl0'><virtkit:peer network='other'/></virtkit:link>
    <virtkit:link dev='vkl1'><virtkit:peer netns='blue'/></virtkit:link></network>`);
  const seen: string[] = [];
  const p = networkStartPlan(def, {
    ...env,
    linkCommands: (link, i, bridge) => {
      seen.push(`${i}:${String(link.dev)}@${bridge}`);
      return link.peer?.netns === undefined ? null : [['link', 'add', 'name', String(link.dev)]];
    },
  });
  assert.deepEqual(seen, ['0:vkl0@vkb4', '1:vkl1@vkb4']);
  assert.deepEqual(p.links, ['vkl1']);
  const up = p.commands.findIndex((c) => c.join(' ') === 'ip link set dev vkb4 up');
  assert.deepEqual(p.commands.at(-1), ['ip', 'link', 'add', 'name', 'vkl1']);
  assert.ok(up >= 0 && up < p.commands.length - 1, 'the link is made after the bridge is up');
});
