// The `ip` steps of a <virtkit:link> (parsed from network XML, as the network engine gets it),
// for a bridge peer and a namespace peer, and the refusals of a link that cannot be made.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VirtkitError } from '../../core/errors.js';
import { parseNetworkXml } from '../../core/xml/network/index.js';
import { applyVethLink, removeVethLink } from './veth-link.js';
import { defaultPeerDev, planVethLink } from './veth-link-plan.js';

const NS = "xmlns:virtkit='https://virtkit.dev/xmlns/network/1'";
function links(body: string) {
  const def = parseNetworkXml(`<network ${NS}><name>red</name><bridge name='virbr5'/>${body}</network>`);
  return def.link ?? [];
}
const code = (c: string, re?: RegExp) => (e: unknown): boolean => e instanceof VirtkitError && e.code === c && (re === undefined || re.test(e.message));

test('a link to another network: both ends in their bridges, then up', () => {
  const [l] = links("<virtkit:link dev='vk-red-blue'><virtkit:peer network='blue'/></virtkit:link>");
  assert.ok(l !== undefined);
  const plan = planVethLink(l, { bridge: 'virbr5', peerBridge: (n) => (n === 'blue' ? 'virbr6' : 'x') });
  assert.deepEqual(plan.commands, [
    ['link', 'add', 'name', 'vk-red-blue', 'type', 'veth', 'peer', 'name', 'vk-red-bluep'],
    ['link', 'set', 'dev', 'vk-red-blue', 'master', 'virbr5'],
    ['link', 'set', 'dev', 'vk-red-bluep', 'master', 'virbr6'],
    ['link', 'set', 'dev', 'vk-red-bluep', 'up'],
    ['link', 'set', 'dev', 'vk-red-blue', 'up'],
  ]);
  assert.deepEqual(plan.peer, { kind: 'bridge', bridge: 'virbr6' });
  assert.equal(defaultPeerDev('fifteen-chars-x'), 'fifteen-chars-p');
  assert.equal(defaultPeerDev('a-p'), 'a-pq');
});

test('a link to a namespace: the peer is made there, renamed, with its addresses and routes after it is up', () => {
  const [l] = links(`<virtkit:link dev='vk-red-ns'><virtkit:peer netns='outside' dev='eth1'/>
    <virtkit:ip address='192.168.100.50' prefix='24'/><virtkit:ip address='fd00::50' prefix='64'/>
    <virtkit:route address='0.0.0.0' prefix='0' gateway='192.168.100.1'/></virtkit:link>`);
  assert.ok(l !== undefined);
  assert.deepEqual(planVethLink(l, { bridge: 'virbr5' }).commands, [
    ['link', 'add', 'name', 'vk-red-ns', 'type', 'veth', 'peer', 'name', 'eth1', 'netns', 'outside'],
    ['link', 'set', 'dev', 'vk-red-ns', 'master', 'virbr5'],
    ['-n', 'outside', 'addr', 'add', '192.168.100.50/24', 'dev', 'eth1'],
    ['-n', 'outside', 'addr', 'add', 'fd00::50/64', 'dev', 'eth1'],
    ['-n', 'outside', 'link', 'set', 'dev', 'eth1', 'up'],
    ['-n', 'outside', 'route', 'add', '0.0.0.0/0', 'via', '192.168.100.1', 'dev', 'eth1'],
    ['link', 'set', 'dev', 'vk-red-ns', 'up'],
  ]);
});

test('refused: no dev, no peer or both kinds, addresses on a network peer, long names, an unknown peer bridge', () => {
  const plan = (body: string, peerBridge?: (n: string) => string) => () => {
    const [l] = links(body);
    assert.ok(l !== undefined);
    return planVethLink(l, { bridge: 'virbr5', ...(peerBridge === undefined ? {} : { peerBridge }), path: '/network/virtkit:link[1]' });
  };
  assert.throws(plan("<virtkit:link><virtkit:peer network='b'/></virtkit:link>", () => 'br'), code('XML_MISSING', /link\[1\]\/@dev/));
  assert.throws(plan("<virtkit:link dev='x'/>"), code('XML_MISSING'));
  assert.throws(plan("<virtkit:link dev='x'><virtkit:peer network='b' netns='n'/></virtkit:link>", () => 'br'), code('XML_CONFLICT'));
  assert.throws(plan("<virtkit:link dev='x'><virtkit:peer network='b'/><virtkit:ip address='10.0.0.1' prefix='24'/></virtkit:link>", () => 'br'), code('XML_CONFLICT'));
  assert.throws(plan("<virtkit:link dev='a-name-too-long-x'><virtkit:peer netns='n'/></virtkit:link>"), code('IFACE_NAME_INVALID'));
  assert.throws(plan("<virtkit:link dev='x'><virtkit:peer network='b'/></virtkit:link>"), code('XML_MISSING', /no bridge is known/));
});

test('apply runs the steps in order and, when one fails, removes the link; remove leaves a non-veth alone', async () => {
  const [l] = links("<virtkit:link dev='vk-a'><virtkit:peer netns='ns1'/><virtkit:ip address='10.1.0.2' prefix='24'/></virtkit:link>");
  assert.ok(l !== undefined);
  const calls: string[] = [];
  let kind = 'veth';
  const run = (argv: readonly string[]): Promise<string> => {
    calls.push(argv.join(' '));
    if (argv.includes('addr')) return Promise.reject(new VirtkitError('HOST_NET_FAILED', 'ip addr add failed: no such namespace'));
    if (argv[0] === '-j') return Promise.resolve(JSON.stringify([{ ifname: 'vk-a', ifindex: 9, mtu: 1500, linkinfo: { info_kind: kind } }]));
    return Promise.resolve('');
  };
  await assert.rejects(applyVethLink(planVethLink(l, { bridge: 'br0' }), run), code('HOST_NET_FAILED'));
  assert.deepEqual(calls, [
    'link add name vk-a type veth peer name vk-a netns ns1', 'link set dev vk-a master br0', '-n ns1 addr add 10.1.0.2/24 dev vk-a',
    '-j -d -s link show', 'link del dev vk-a',
  ]);
  calls.length = 0;
  kind = 'bridge';
  assert.equal(await removeVethLink('vk-a', run), false);
  assert.deepEqual(calls, ['-j -d -s link show']);
});
