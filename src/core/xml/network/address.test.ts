import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIp, netmaskPrefix, overlappingSubnets, parseIp, parseSubnet, subnetsOverlap } from './address.js';

const sub = (s: string): NonNullable<ReturnType<typeof parseSubnet>> => {
  const x = parseSubnet(s);
  assert.ok(x, `${s} parses`);
  return x;
};

test('IPv4 and IPv6 addresses parse and format canonically', () => {
  const cases: Array<[string, string]> = [
    ['192.168.122.1', '192.168.122.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['fd00::', 'fd00::'],
    ['::', '::'],
    ['2001:db8:ac10:fd01::1:10', '2001:db8:ac10:fd01::1:10'],
    ['fd8f:1391:3a82:150::c0a8:9603', 'fd8f:1391:3a82:150::c0a8:9603'],
    ['::ffff:10.1.2.3', '::ffff:a01:203'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
  ];
  for (const [i, o] of cases) assert.equal(formatIp(parseIp(i) ?? assert.fail(`${i} does not parse`)), o, i);
  for (const bad of ['256.1.1.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7:8:9', 'g::1', '']) assert.equal(parseIp(bad), undefined, bad);
});

test('netmasks: contiguous ones only', () => {
  assert.equal(netmaskPrefix('255.255.255.0'), 24);
  assert.equal(netmaskPrefix('0.0.0.0'), 0);
  assert.equal(netmaskPrefix('255.0.255.0'), undefined);
});

test('subnetsOverlap: containment either way, same family only', () => {
  assert.equal(subnetsOverlap(sub('192.168.122.0/24'), sub('192.168.0.0/16')), true);
  assert.equal(subnetsOverlap(sub('192.168.0.0/16'), sub('192.168.122.7/32')), true);
  assert.equal(subnetsOverlap(sub('192.168.122.0/24'), sub('192.168.123.0/24')), false);
  assert.equal(subnetsOverlap(sub('fd00::/64'), sub('fd00::/8')), true);
  assert.equal(subnetsOverlap(sub('fd00::/64'), sub('fd00:0:0:1::/64')), false);
  assert.equal(subnetsOverlap(sub('0.0.0.0/0'), sub('::/0')), false);
});

test('overlappingSubnets names each route or network that overlaps, never the default route', () => {
  const owners = [
    { label: 'default route via 10.0.2.2', subnet: sub('0.0.0.0/0') },
    { label: "network 'default'", subnet: sub('192.168.122.0/24') },
    { label: 'route 192.168.0.0/16 dev eth1', subnet: sub('192.168.0.0/16') },
    { label: 'route 10.0.2.0/24 dev eth0', subnet: sub('10.0.2.0/24') },
  ];
  assert.deepEqual(overlappingSubnets(sub('192.168.122.0/25'), owners).map((o) => o.label), ["network 'default'", 'route 192.168.0.0/16 dev eth1']);
  assert.deepEqual(overlappingSubnets(sub('172.16.0.0/12'), owners), []);
});
