import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QgaDecoder, classifyAnswer, encodeQgaCommand, encodeQgaSync, parseRawAgentCommand } from './codec.js';
import { parseProcNetArp } from '../../network/arp.js';
import { agentIfAddrs, arpIfAddrs, matchesIface } from './interfaces.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

test('the sync is the 0xFF reset byte, then guest-sync-delimited with the id, one line', () => {
  const b = encodeQgaSync(1234);
  assert.equal(b[0], 0xff);
  assert.equal(b.subarray(1).toString(), '{"execute":"guest-sync-delimited","arguments":{"id":1234}}\n');
  assert.equal(encodeQgaCommand('guest-ping').toString(), '{"execute":"guest-ping"}\n');
});

test('after awaitSentinel, bytes before the 0xFF are dropped (stale answers), those after are answers', () => {
  const d = new QgaDecoder();
  d.awaitSentinel();
  assert.deepEqual(d.push(bytes('{"return": {}}\n{"error": {"class": "GenericError", "desc": "x"}}\n{"ret')), []);
  assert.equal(d.awaitingSentinel, true);
  const out = d.push(Buffer.concat([bytes('urn": 5}\n'), Buffer.from([0xff]), bytes('{"return": 77}\n{"return": [1,')]));
  assert.deepEqual(out, [{ kind: 'return', value: 77 }]);
  assert.equal(d.awaitingSentinel, false);
  assert.deepEqual(d.push(bytes(' 2]}\r\n')), [{ kind: 'return', value: [1, 2] }]);
  assert.equal(d.pending, 0);
});

test('a UTF-8 character split between chunks comes out whole', () => {
  const d = new QgaDecoder();
  const b = bytes('{"return": "h\u00e9"}\n');
  const cut = b.indexOf(0xc3) + 1;
  assert.deepEqual([...d.push(b.subarray(0, cut)), ...d.push(b.subarray(cut))], [{ kind: 'return', value: 'h\u00e9' }]);
});

test('answers are classified: return, error (class, desc), invalid', () => {
  assert.deepEqual(classifyAnswer('{"error": {"class": "CommandNotFound", "desc": "nope"}}'), { kind: 'error', class: 'CommandNotFound', desc: 'nope' });
  assert.deepEqual(classifyAnswer('{"return": null}'), { kind: 'return', value: null });
  assert.equal(classifyAnswer('[1]').kind, 'invalid');
  assert.equal(classifyAnswer('{"x": 1}').kind, 'invalid');
  assert.equal(classifyAnswer('not json').kind, 'invalid');
});

test('a raw command needs a string execute and object arguments, nothing else', () => {
  assert.deepEqual(parseRawAgentCommand('{"execute":"guest-info"}'), { execute: 'guest-info' });
  assert.deepEqual(parseRawAgentCommand('{"execute":"guest-exec","arguments":{"path":"/bin/true"}}'), { execute: 'guest-exec', arguments: { path: '/bin/true' } });
  assert.match(String(parseRawAgentCommand('{"execute":1}')), /no string 'execute'/);
  assert.match(String(parseRawAgentCommand('{"execute":"a","id":3}')), /unknown keys: id/);
  assert.match(String(parseRawAgentCommand('{"execute":"a","arguments":[]}')), /not a JSON object/);
  assert.match(String(parseRawAgentCommand('{')), /not JSON/);
});

// guest-network-get-interfaces as qemu-ga 7.2 answers it in the test guest.
const IFACES = [
  { name: 'lo', 'hardware-address': '00:00:00:00:00:00', 'ip-addresses': [{ 'ip-address-type': 'ipv4', 'ip-address': '127.0.0.1', prefix: 8 }], statistics: {} },
  { name: 'eth0', 'hardware-address': '52:54:00:ab:cd:ef', 'ip-addresses': [
    { 'ip-address-type': 'ipv4', 'ip-address': '10.213.7.50', prefix: 24 },
    { 'ip-address-type': 'ipv6', 'ip-address': 'fe80::5054:ff:feab:cdef', prefix: 64 },
  ] },
  { name: 'sit0' },
];

test('agent interfaces become domifaddr rows in the guest order; a filter picks one by name or MAC', () => {
  assert.deepEqual(agentIfAddrs(IFACES), [
    { name: 'lo', mac: '00:00:00:00:00:00', addrs: [{ type: 'ipv4', addr: '127.0.0.1', prefix: 8 }] },
    { name: 'eth0', mac: '52:54:00:ab:cd:ef', addrs: [{ type: 'ipv4', addr: '10.213.7.50', prefix: 24 }, { type: 'ipv6', addr: 'fe80::5054:ff:feab:cdef', prefix: 64 }] },
    { name: 'sit0', mac: '-', addrs: [] },
  ]);
  assert.deepEqual(agentIfAddrs(IFACES, '52:54:00:AB:CD:EF').map((i) => i.name), ['eth0']);
  assert.deepEqual(agentIfAddrs(IFACES, 'lo').map((i) => i.name), ['lo']);
  assert.throws(() => agentIfAddrs({}), /did not answer with a list/);
});

test('the interface filter: none, the name, or the MAC in any case', () => {
  assert.equal(matchesIface(undefined, 'vnet0', '52:54:00:ab:cd:ef'), true);
  assert.equal(matchesIface('vnet0', 'vnet0', '52:54:00:ab:cd:ef'), true);
  assert.equal(matchesIface('52:54:00:AB:CD:EF', 'vnet0', '52:54:00:ab:cd:ef'), true);
  assert.equal(matchesIface('vnet1', 'vnet0', '52:54:00:ab:cd:ef'), false);
});

// /proc/net/arp as Linux 6.1 writes it.
const ARP = `IP address       HW type     Flags       HW address            Mask     Device
10.213.7.50      0x1         0x2         52:54:00:ab:cd:ef     *        vkbr7
10.213.7.51      0x1         0x0         00:00:00:00:00:00     *        vkbr7
192.168.1.1      0x1         0x2         AA:bb:cc:00:11:22     *        eth0
`;

test('the ARP table gives the complete entries; domifaddr --source arp keeps the domain MACs it knows', () => {
  const t = parseProcNetArp(ARP);
  assert.deepEqual(t, [
    { ip: '10.213.7.50', mac: '52:54:00:ab:cd:ef', device: 'vkbr7' },
    { ip: '192.168.1.1', mac: 'aa:bb:cc:00:11:22', device: 'eth0' },
  ]);
  assert.deepEqual(arpIfAddrs([{ name: 'vnet0', mac: '52:54:00:AB:CD:EF' }, { name: 'vnet1', mac: '52:54:00:00:00:01' }], t), [
    { name: 'vnet0', mac: '52:54:00:AB:CD:EF', addrs: [{ type: 'ipv4', addr: '10.213.7.50', prefix: 0 }] },
  ]);
});
