/**
 * A network's own nftables table, as text for one `nft -f` transaction: what libvirt's network
 * firewall does (libvirt 10, src/network/network_nftables.c and network_iptables.c), in one
 * `inet` table per network (docs/firewall.md says why one table per network):
 *
 * - input: DHCP, DNS (and TFTP when configured) from the bridge; output: DHCP replies to it;
 * - forward: guest to guest on the bridge; for nat, guests out (from their subnet, through the
 *   forward dev if one is named) and replies back in (ct established,related); for route both
 *   ways by subnet; then everything else to or from the bridge rejected (isolated: only that);
 * - postrouting (nat, IPv4 only): masquerade what leaves the subnet, except multicast
 *   224.0.0.0/24 and broadcast, tcp/udp to source ports 1024-65535 (or the <nat> ranges;
 *   SNAT to <nat><address> when given). IPv6 is routed, never NATed.
 *
 * 'open' has no rules at all. Applying replaces the table whole (add, delete, define in one
 * transaction), so applying twice is the same as once; removing is one `delete table`.
 */
import { ipv4Subnet, ipv6Subnet, parseIpv4 } from './firewall-addr.js';
import { checkNetwork, tableName, type FirewallNetwork } from './firewall-model.js';

export interface FirewallPlan {
  /** The network's table (family inet); absent for 'open'. */
  readonly table: string | null;
  /** The text for `nft -f -` that (re)creates the table; '' for 'open'. */
  readonly ruleset: string;
  /** The text for `nft -f -` that removes the table, also when it is not there. */
  readonly removeRuleset: string;
}

const q = (dev: string): string => `"${dev}"`;

function inputRules(net: FirewallNetwork): string[] {
  const br = `iifname ${q(net.bridge)}`;
  const v4 = net.ipv4.length > 0 ? [`${br} meta nfproto ipv4 udp dport { 53, 67${net.tftp === true ? ', 69' : ''} } accept`, `${br} meta nfproto ipv4 tcp dport { 53, 67 } accept`] : [];
  const v6 = net.ipv6.length > 0 ? [`${br} meta nfproto ipv6 udp dport { 53, 547 } accept`, `${br} meta nfproto ipv6 tcp dport 53 accept`] : [];
  return [...v4, ...v6];
}

function outputRules(net: FirewallNetwork): string[] {
  const br = `oifname ${q(net.bridge)}`;
  return [
    ...(net.ipv4.length > 0 ? [`${br} meta nfproto ipv4 udp dport 68 accept`] : []),
    ...(net.ipv6.length > 0 ? [`${br} meta nfproto ipv6 udp dport 546 accept`] : []),
  ];
}

function forwardRules(net: FirewallNetwork): string[] {
  const br = q(net.bridge);
  const rules = [`iifname ${br} oifname ${br} counter accept`];
  if (net.mode === 'nat' || net.mode === 'route') {
    const toDev = net.forwardDev === undefined ? '' : ` oifname ${q(net.forwardDev)}`;
    const fromDev = net.forwardDev === undefined ? '' : `iifname ${q(net.forwardDev)} `;
    const subnets = [...net.ipv4.map((s) => ['ip', ipv4Subnet(s), net.mode] as const), ...net.ipv6.map((s) => ['ip6', ipv6Subnet(s), 'route'] as const)];
    for (const [fam, subnet, how] of subnets) {
      const ct = how === 'nat' ? ' ct state established,related' : '';
      rules.push(`${fromDev}oifname ${br} ${fam} daddr ${subnet}${ct} counter accept`);
    }
    for (const [fam, subnet] of subnets) rules.push(`iifname ${br}${toDev} ${fam} saddr ${subnet} counter accept`);
  }
  rules.push(`oifname ${br} counter reject`, `iifname ${br} counter reject`);
  return rules;
}

function snatTarget(net: FirewallNetwork): { any: string; ports: string } {
  const nat = net.nat ?? {};
  const ports = `${nat.portStart ?? 1024}-${nat.portEnd ?? 65535}`;
  if (nat.addressStart === undefined) return { any: 'masquerade', ports: `masquerade to :${ports}` };
  parseIpv4(nat.addressStart);
  const end = nat.addressEnd ?? nat.addressStart;
  parseIpv4(end);
  const range = end === nat.addressStart ? nat.addressStart : `${nat.addressStart}-${end}`;
  return { any: `snat ip to ${range}`, ports: `snat ip to ${range}:${ports}` };
}

function natRules(net: FirewallNetwork): string[] {
  if (net.mode !== 'nat') return [];
  const dev = net.forwardDev === undefined ? '' : ` oifname ${q(net.forwardDev)}`;
  const target = snatTarget(net);
  return net.ipv4.flatMap((s) => {
    const from = `ip saddr ${ipv4Subnet(s)}`;
    const out = `${from} ip daddr != ${ipv4Subnet(s)}${dev}`;
    return [
      `${from} ip daddr 224.0.0.0/24${dev} counter return`,
      `${from} ip daddr 255.255.255.255${dev} counter return`,
      `meta l4proto tcp ${out} counter ${target.ports}`,
      `meta l4proto udp ${out} counter ${target.ports}`,
      `${out} counter ${target.any}`,
    ];
  });
}

function chain(name: string, hook: string, priority: string, rules: readonly string[]): string {
  return [`\tchain ${name} {`, `\t\ttype ${hook === 'postrouting' ? 'nat' : 'filter'} hook ${hook} priority ${priority}; policy accept;`, ...rules.map((r) => `\t\t${r}`), '\t}'].join('\n');
}

export function removeRuleset(table: string): string {
  // 'add' first makes the delete succeed when the table is already gone (nft 1.0.6 has no 'destroy')
  return `add table inet ${table}\ndelete table inet ${table}\n`;
}

export function firewallPlan(net: FirewallNetwork): FirewallPlan {
  checkNetwork(net);
  const table = tableName(net.name);
  if (net.mode === 'open') return { table: null, ruleset: '', removeRuleset: removeRuleset(table) };
  const chains = [
    chain('input', 'input', 'filter', inputRules(net)),
    chain('output', 'output', 'filter', outputRules(net)),
    chain('forward', 'forward', 'filter', forwardRules(net)),
    ...(net.mode === 'nat' && net.ipv4.length > 0 ? [chain('postrouting', 'postrouting', 'srcnat', natRules(net))] : []),
  ];
  const ruleset = `${removeRuleset(table)}table inet ${table} {\n${chains.join('\n')}\n}\n`;
  return { table, ruleset, removeRuleset: removeRuleset(table) };
}
