import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VirtkitError } from '../errors.js';
import { firewallPlan } from './firewall.js';
import { ipv4Subnet, ipv6Subnet } from './firewall-addr.js';
import { decodeName, encodeName, networkOfTable, networkOfTag, tableName, type FirewallNetwork } from './firewall-model.js';

const DEFAULT: FirewallNetwork = { name: 'default', mode: 'nat', bridge: 'virbr0', ipv4: [{ address: '192.168.122.1', prefix: 24 }], ipv6: [] };
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    return e instanceof VirtkitError ? e.code : 'not a VirtkitError';
  }
  return 'no error';
};

describe('firewallPlan', () => {
  it("makes libvirt's default NAT network rules in one inet table that replaces itself", () => {
    const plan = firewallPlan(DEFAULT);
    assert.equal(plan.table, 'virtkit_default');
    assert.equal(plan.ruleset, `add table inet virtkit_default
delete table inet virtkit_default
table inet virtkit_default {
\tchain input {
\t\ttype filter hook input priority filter; policy accept;
\t\tiifname "virbr0" meta nfproto ipv4 udp dport { 53, 67 } counter accept
\t\tiifname "virbr0" meta nfproto ipv4 tcp dport { 53, 67 } counter accept
\t}
\tchain output {
\t\ttype filter hook output priority filter; policy accept;
\t\toifname "virbr0" meta nfproto ipv4 udp dport 68 counter accept
\t}
\tchain forward {
\t\ttype filter hook forward priority filter; policy accept;
\t\tiifname "virbr0" oifname "virbr0" counter accept
\t\toifname "virbr0" ip daddr 192.168.122.0/24 ct state established,related counter accept
\t\tiifname "virbr0" ip saddr 192.168.122.0/24 counter accept
\t\toifname "virbr0" counter reject
\t\tiifname "virbr0" counter reject
\t}
\tchain postrouting {
\t\ttype nat hook postrouting priority srcnat; policy accept;
\t\tip saddr 192.168.122.0/24 ip daddr 224.0.0.0/24 counter return
\t\tip saddr 192.168.122.0/24 ip daddr 255.255.255.255 counter return
\t\tmeta l4proto tcp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535
\t\tmeta l4proto udp ip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade to :1024-65535
\t\tip saddr 192.168.122.0/24 ip daddr != 192.168.122.0/24 counter masquerade
\t}
}
`);
    assert.equal(plan.removeRuleset, 'add table inet virtkit_default\ndelete table inet virtkit_default\n');
    // the JSON commands: replace the table, then 4 chains and their 2 + 1 + 5 + 5 rules
    assert.equal(plan.commands.length, 3 + 4 + 13);
    assert.deepEqual(plan.removeCommands, [{ add: { table: { family: 'inet', name: 'virtkit_default' } } }, { delete: { table: { family: 'inet', name: 'virtkit_default' } } }]);
  });

  it('route: both ways by subnet, no ct state, no NAT; IPv6 routed in nat mode too', () => {
    const route = firewallPlan({ ...DEFAULT, mode: 'route' }).ruleset;
    assert.match(route, /oifname "virbr0" ip daddr 192\.168\.122\.0\/24 counter accept/);
    assert.doesNotMatch(route, /ct state|postrouting|masquerade/);
    const v6 = firewallPlan({ ...DEFAULT, ipv6: [{ address: '2001:db8:ca2:2::1', prefix: 64 }] }).ruleset;
    assert.match(v6, /oifname "virbr0" ip6 daddr 2001:db8:ca2:2::\/64 counter accept/);
    assert.match(v6, /iifname "virbr0" ip6 saddr 2001:db8:ca2:2::\/64 counter accept/);
    assert.match(v6, /iifname "virbr0" meta nfproto ipv6 udp dport \{ 53, 547 \} counter accept/);
    assert.doesNotMatch(v6, /ip6 saddr [^\n]*masquerade/);
  });

  it('isolated: guest to guest on the bridge, everything else to or from it rejected', () => {
    const forward = /chain forward \{\n[^\n]*\n([^}]*)\}/.exec(firewallPlan({ ...DEFAULT, mode: 'isolated' }).ruleset)?.[1];
    assert.equal(forward, '\t\tiifname "virbr0" oifname "virbr0" counter accept\n\t\toifname "virbr0" counter reject\n\t\tiifname "virbr0" counter reject\n\t');
    assert.doesNotMatch(firewallPlan({ ...DEFAULT, mode: 'isolated' }).ruleset, /postrouting/);
  });

  it('open: no table, no rules, but a remove that clears what an earlier mode left', () => {
    const plan = firewallPlan({ ...DEFAULT, mode: 'open' });
    assert.deepEqual([plan.table, plan.ruleset, plan.commands], [null, '', []]);
    assert.match(plan.removeRuleset, /delete table inet virtkit_default/);
  });

  it('<forward dev> limits forwarding and NAT to it; <nat> address and port ranges become SNAT', () => {
    const plan = firewallPlan({ ...DEFAULT, forwardDev: 'eth0', tftp: true, nat: { addressStart: '10.0.0.5', addressEnd: '10.0.0.9', portStart: 500, portEnd: 1000 } }).ruleset;
    assert.match(plan, /iifname "eth0" oifname "virbr0" ip daddr 192\.168\.122\.0\/24 ct state established,related counter accept/);
    assert.match(plan, /iifname "virbr0" oifname "eth0" ip saddr 192\.168\.122\.0\/24 counter accept/);
    assert.match(plan, /meta l4proto udp ip saddr 192\.168\.122\.0\/24 ip daddr != 192\.168\.122\.0\/24 oifname "eth0" counter snat ip to 10\.0\.0\.5-10\.0\.0\.9:500-1000/);
    assert.match(plan, /ip saddr 192\.168\.122\.0\/24 ip daddr != 192\.168\.122\.0\/24 oifname "eth0" counter snat ip to 10\.0\.0\.5-10\.0\.0\.9\n/);
    assert.match(plan, /ip daddr 224\.0\.0\.0\/24 oifname "eth0" counter return/);
    assert.match(plan, /udp dport \{ 53, 67, 69 \}/);
    const ports = firewallPlan({ ...DEFAULT, nat: { portStart: 2000, portEnd: 3000 } }).ruleset;
    assert.match(ports, /masquerade to :2000-3000/);
  });

  it('refuses names and values that cannot go into a ruleset, with INVALID_ARGUMENT', () => {
    for (const bad of [
      { ...DEFAULT, bridge: 'vir"br0' }, { ...DEFAULT, bridge: 'averyveryverylongname' }, { ...DEFAULT, forwardDev: 'eth 0' },
      { ...DEFAULT, ipv4: [{ address: '192.168.122.256', prefix: 24 }] }, { ...DEFAULT, ipv4: [{ address: '192.168.122.1', prefix: 33 }] },
      { ...DEFAULT, ipv6: [{ address: '2001:db8:::1', prefix: 64 }] }, { ...DEFAULT, nat: { portStart: 3000, portEnd: 2000 } },
      { ...DEFAULT, nat: { portStart: 0 } }, { ...DEFAULT, nat: { addressStart: '10.0.0.300' } }, { ...DEFAULT, name: '' },
      { ...DEFAULT, name: 'x'.repeat(200) },
    ]) assert.equal(code(() => firewallPlan(bad)), 'INVALID_ARGUMENT', JSON.stringify(bad));
  });
});

describe('firewall names and addresses', () => {
  it('encodes any network name into an nft identifier and back', () => {
    for (const name of ['default', 'fw-nat', 'my net', 'ünï/cödé', 'a.b_c']) {
      assert.match(encodeName(name), /^[A-Za-z0-9_.-]+$/);
      assert.equal(decodeName(encodeName(name)), name);
    }
    assert.equal(tableName('fw-nat'), 'virtkit_fw-2dnat');
    assert.equal(networkOfTable('virtkit_fw-2dnat'), 'fw-nat');
    assert.equal(networkOfTable('filter'), undefined);
    assert.equal(networkOfTable('virtkit_bad-zz'), undefined);
    assert.equal(networkOfTable('virtkit_-ff'), undefined, 'not UTF-8: not a name virtkit wrote');
    assert.equal(networkOfTag('virtkit:my-20net'), 'my net');
    assert.equal(networkOfTag('docker'), undefined);
  });

  it('masks the host part off and writes IPv6 short', () => {
    assert.equal(ipv4Subnet({ address: '10.1.2.129', prefix: 25 }), '10.1.2.128/25');
    assert.equal(ipv4Subnet({ address: '10.1.2.3', prefix: 0 }), '0.0.0.0/0');
    assert.equal(ipv6Subnet({ address: '2001:DB8:0:0:1:0:0:1', prefix: 64 }), '2001:db8::/64');
    assert.equal(ipv6Subnet({ address: 'fd00:1:2:3:4:5:6:7', prefix: 127 }), 'fd00:1:2:3:4:5:6:6/127');
    assert.equal(ipv6Subnet({ address: '::1', prefix: 128 }), '::1/128');
    assert.equal(ipv6Subnet({ address: '2001:0:0:1::1', prefix: 48 }), '2001::/48');
  });
});
