import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSubnet } from '../xml/network/address.js';
import { parseNetworkXml, subnetOverlapProblems } from '../xml/network/index.js';
import { hostRouteOwners, procIpv6Routes, procRoutes } from './host-routes.js';

// Captured on the development machine (iproute2 6.1): `ip -json route show table main` and
// `ip -6 -json route show table main`; the last IPv4 entry (a host route, whose dst has no
// prefix) and the virbr5 route are added by hand.
const V4 = JSON.parse(
  '[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]},' +
    '{"dst":"10.20.30.40","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"dst":"192.168.140.0/24","dev":"virbr5","protocol":"kernel","scope":"link","flags":[]}]',
) as unknown;
const V6 = JSON.parse(
  '[{"dst":"fd00::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"fe80::/64","dev":"eth0","protocol":"kernel","metric":256,"flags":[],"pref":"medium"},{"dst":"default","gateway":"fd00::1","dev":"eth0","metric":1024,"flags":[],"pref":"medium"}]',
) as unknown;

test('routes become subnet owners: no default routes, host routes as /32, own bridge skipped', () => {
  const owners = hostRouteOwners(V4, new Set(['virbr5']));
  assert.deepEqual(owners.map((o) => [o.label, formatSubnet(o.subnet)]), [
    ['route 192.0.2.0/24 dev eth0', '192.0.2.0/24'],
    ['route 10.20.30.40 via 192.0.2.1 dev eth0', '10.20.30.40/32'],
  ]);
  assert.deepEqual(hostRouteOwners(V6).map((o) => formatSubnet(o.subnet)), ['fd00::/64', 'fe80::/64']);
  assert.throws(() => hostRouteOwners({}), /expected a JSON array/);
});

test('a network overlapping a host route is refused, naming the route', () => {
  const def = parseNetworkXml("<network><name>n</name><ip address='192.0.2.129' prefix='25'/><ip family='ipv6' address='fd00::1' prefix='64'/><ip address='10.9.0.1' prefix='24'/></network>");
  const found = subnetOverlapProblems(def, [...hostRouteOwners(V4), ...hostRouteOwners(V6)]);
  assert.deepEqual(found.map((e) => e.message), [
    '/network/ip[1]: the subnet 192.0.2.128/25 overlaps route 192.0.2.0/24 dev eth0 (192.0.2.0/24); choose another subnet',
    '/network/ip[2]: the subnet fd00::/64 overlaps route fd00::/64 dev eth0 (fd00::/64); choose another subnet',
  ]);
});

// Captured on the development machine (kernel 6.18) at the same moment as `ip -j route show`
// (a host route via a gateway and an unreachable route added for it) and `ip -6 route show`.
const PROC_V4 = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       ',
  'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0                                                                               ',
  'vkbn324dg\t00C5F20A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                          ',
  'eth0\t0762FA0A\t010200C0\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0                                                                               ',
  '*\t0063FA0A\t00000000\t0201\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                                  ',
  'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                                                               ',
  '',
].join('\n');
const IP_V4 = JSON.parse('[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"dst":"10.242.197.0/24","dev":"vkbn324dg","protocol":"kernel","scope":"link","prefsrc":"10.242.197.1","flags":[]},' +
  '{"dst":"10.250.98.7","gateway":"192.0.2.1","dev":"eth0","flags":[]},{"type":"unreachable","dst":"10.250.99.0/24","flags":[]},{"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]}]') as unknown;
const PROC_V6 = `fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001    vnet0
fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 vkbn74adg
00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000003 00000000 00000003     eth0
00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000005 00000000 80200001     eth0
fe8000000000000000fc00fffe000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000005 00000000 80200001     eth0
fe80000000000000505400fffe83a9e3 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001 vkbn74adg
fe80000000000000fc5400fffeb87400 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001    vnet0
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001    vnet0
ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001 vkbn74adg
00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
`;
/** `ip -6 route show` at that moment: fd00::/64 eth0, fe80::/64 on eth0, vnet0, vkbn74adg, default via fd00::1. */
const IP_V6 = [
  { dst: 'fd00::/64', dev: 'eth0' }, { dst: 'fe80::/64', dev: 'eth0' }, { dst: 'fe80::/64', dev: 'vnet0' },
  { dst: 'fe80::/64', dev: 'vkbn74adg' }, { dst: 'default', dev: 'eth0', gateway: 'fd00::1' },
];

test('/proc/net/route and /proc/net/ipv6_route give what ip lists (main table), and the same owners', () => {
  const pick = (rs: unknown): unknown => (rs as Record<string, unknown>[]).map((r) => ({ dst: r.dst, ...(r.dev === undefined ? {} : { dev: r.dev }), ...(r.gateway === undefined ? {} : { gateway: r.gateway }) }));
  assert.deepEqual(pick(procRoutes(PROC_V4)), pick(IP_V4));
  assert.deepEqual(procIpv6Routes(PROC_V6), IP_V6);
  const own = new Set(['vkbn324dg']);
  assert.deepEqual(hostRouteOwners(procRoutes(PROC_V4), own), hostRouteOwners(IP_V4, own));
  assert.deepEqual(hostRouteOwners(procIpv6Routes(PROC_V6)).map((o) => o.label), ['route fd00::/64 dev eth0', 'route fe80::/64 dev eth0', 'route fe80::/64 dev vnet0', 'route fe80::/64 dev vkbn74adg']);
  assert.deepEqual(procRoutes(''), []);
  assert.deepEqual(procIpv6Routes('garbage line\n'), []);
});
