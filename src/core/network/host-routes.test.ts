import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSubnet } from '../xml/network/address.js';
import { parseNetworkXml, subnetOverlapProblems } from '../xml/network/index.js';
import { hostRouteOwners } from './host-routes.js';

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
