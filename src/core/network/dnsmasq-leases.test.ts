import assert from 'node:assert/strict';
import { test } from 'node:test';
import { macOfDuid, parseDnsmasqLeases } from './dnsmasq-leases.js';

// IPv4 lines as a real dnsmasq 2.90 wrote them (tests/integration/dnsmasq-lease.test.ts reads
// such a file too); the DHCPv6 part (after 'duid') in the layout of dnsmasq's lease.c.
const FILE = `1796375572 52:54:00:23:10:02 10.231.0.120 probe *
0 52:54:00:23:10:01 10.231.0.10 fixed 01:52:54:00:23:10:01
duid 00:01:00:01:2c:5e:aa:bb:52:54:00:00:00:01
1796375600 1193046 fd00:77::10 web 00:03:00:01:52:54:00:11:22:33
1796375601 1388268228 fd00:77::11 * 00:02:00:00:ab:11:c8:5c:bc:de
1796375`;

test('IPv4 and IPv6 leases, infinite ones, and a truncated last line', () => {
  const r = parseDnsmasqLeases(FILE);
  assert.deepEqual(r.leases, [
    { family: 'ipv4', ip: '10.231.0.120', expiresAt: 1796375572, mac: '52:54:00:23:10:02', hostname: 'probe' },
    { family: 'ipv4', ip: '10.231.0.10', expiresAt: null, mac: '52:54:00:23:10:01', hostname: 'fixed', clientId: '01:52:54:00:23:10:01' },
    { family: 'ipv6', ip: 'fd00:77::10', expiresAt: 1796375600, iaid: '1193046', hostname: 'web', clientId: '00:03:00:01:52:54:00:11:22:33', mac: '52:54:00:11:22:33' },
    { family: 'ipv6', ip: 'fd00:77::11', expiresAt: 1796375601, iaid: '1388268228', clientId: '00:02:00:00:ab:11:c8:5c:bc:de' },
  ]);
  assert.deepEqual(r.skipped, ['1796375']);
  assert.deepEqual(parseDnsmasqLeases(''), { leases: [], skipped: [] });
});

test('the MAC in a DUID: LLT and LL of an Ethernet NIC; none in DUID-EN, -UUID, other hardware or a malformed one', () => {
  assert.equal(macOfDuid('00:01:00:01:2c:5e:aa:bb:52:54:00:00:00:01'), '52:54:00:00:00:01');
  assert.equal(macOfDuid('00:03:00:01:BE:92:52:bf:4a:c4'), 'be:92:52:bf:4a:c4');
  assert.equal(macOfDuid('00:02:00:00:ab:11:c8:5c:bc:de'), undefined);
  assert.equal(macOfDuid('00:04:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00'), undefined);
  assert.equal(macOfDuid('00:03:00:06:52:54:00:00:00:01'), undefined);
  assert.equal(macOfDuid('00:03:00:01:52:54:00:00:00'), undefined);
  assert.equal(macOfDuid('00:03:00:01:52:54:00:00:00:zz'), undefined);
});
