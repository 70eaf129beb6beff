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
 * The plan has the same ruleset twice: as nft text (shown by --dry-run and the docs) and as the
 * nft JSON commands virtkit sends (firewall-rules.ts says why JSON).
 */
import { ipv4Subnet, ipv6Subnet, parseIpv4 } from './firewall-addr.js';
import { checkNetwork, tableName, type FirewallNetwork } from './firewall-model.js';
import { ruleExpr, ruleText, type Match, type Rule, type Verdict } from './firewall-rules.js';

/** One nft JSON command (`{ add: { table } }`, `{ insert: { rule } }`...), sent as `{ nftables: [...] }`. */
export type NftCommand = Record<string, unknown>;

export interface FirewallPlan {
  /** The network's table (family inet); absent for 'open'. */
  readonly table: string | null;
  /** The text for `nft -f -` that (re)creates the table; '' for 'open'. */
  readonly ruleset: string;
  /** The text for `nft -f -` that removes the table, also when it is not there. */
  readonly removeRuleset: string;
  /** `ruleset` as nft JSON commands. */
  readonly commands: readonly NftCommand[];
  /** `removeRuleset` as nft JSON commands. */
  readonly removeCommands: readonly NftCommand[];
  /**
   * The text that makes the table only where it is not there (`create table`, which fails when it
   * is): for a start whose listing showed no table. It has no `delete table`, whose commit waits
   * for the kernel (RCU: +8.5 ms a start here, docs/bench.md). '' for 'open'.
   */
  readonly createRuleset: string;
  /** `createRuleset` as nft JSON commands. */
  readonly createCommands: readonly NftCommand[];
}

interface Chain {
  readonly name: string;
  readonly type: 'filter' | 'nat';
  readonly prio: number;
  readonly prioText: string;
  readonly rules: readonly Rule[];
}

const iif = (is: string): Match => ({ meta: 'iifname', is });
const oif = (is: string): Match => ({ meta: 'oifname', is });
const v4: Match = { meta: 'nfproto', is: 'ipv4' };
const v6: Match = { meta: 'nfproto', is: 'ipv6' };
const rule = (match: Match[], verdict: Verdict, counter = true): Rule => ({ match, verdict, counter });

function inputRules(net: FirewallNetwork): Rule[] {
  const br = iif(net.bridge);
  return [
    ...(net.ipv4.length > 0 ? [
      rule([br, v4, { dport: 'udp', is: net.tftp === true ? [53, 67, 69] : [53, 67] }], 'accept'),
      rule([br, v4, { dport: 'tcp', is: [53, 67] }], 'accept'),
    ] : []),
    ...(net.ipv6.length > 0 ? [rule([br, v6, { dport: 'udp', is: [53, 547] }], 'accept'), rule([br, v6, { dport: 'tcp', is: [53] }], 'accept')] : []),
  ];
}

function outputRules(net: FirewallNetwork): Rule[] {
  const br = oif(net.bridge);
  return [
    ...(net.ipv4.length > 0 ? [rule([br, v4, { dport: 'udp', is: [68] }], 'accept')] : []),
    ...(net.ipv6.length > 0 ? [rule([br, v6, { dport: 'udp', is: [546] }], 'accept')] : []),
  ];
}

function forwardRules(net: FirewallNetwork): Rule[] {
  const rules = [rule([iif(net.bridge), oif(net.bridge)], 'accept')];
  if (net.mode === 'nat' || net.mode === 'route') {
    const toDev = net.forwardDev === undefined ? [] : [oif(net.forwardDev)];
    const fromDev = net.forwardDev === undefined ? [] : [iif(net.forwardDev)];
    const subnets = [
      ...net.ipv4.map((s) => ({ fam: 'ip' as const, subnet: ipv4Subnet(s), nat: net.mode === 'nat' })),
      ...net.ipv6.map((s) => ({ fam: 'ip6' as const, subnet: ipv6Subnet(s), nat: false })),
    ];
    for (const s of subnets) {
      const ct: Match[] = s.nat ? [{ ct: ['established', 'related'] }] : [];
      rules.push(rule([...fromDev, oif(net.bridge), { addr: s.fam, field: 'daddr', is: s.subnet }, ...ct], 'accept'));
    }
    for (const s of subnets) rules.push(rule([iif(net.bridge), ...toDev, { addr: s.fam, field: 'saddr', is: s.subnet }], 'accept'));
  }
  rules.push(rule([oif(net.bridge)], 'reject'), rule([iif(net.bridge)], 'reject'));
  return rules;
}

function snatVerdicts(net: FirewallNetwork): { any: Verdict; ports: Verdict } {
  const nat = net.nat ?? {};
  const ports: [number, number] = [nat.portStart ?? 1024, nat.portEnd ?? 65535];
  if (nat.addressStart === undefined) return { any: { masquerade: {} }, ports: { masquerade: { ports } } };
  const from = nat.addressStart;
  const to = nat.addressEnd ?? from;
  parseIpv4(from);
  parseIpv4(to);
  return { any: { snat: { from, to } }, ports: { snat: { from, to, ports } } };
}

function natRules(net: FirewallNetwork): Rule[] {
  const dev = net.forwardDev === undefined ? [] : [oif(net.forwardDev)];
  const target = snatVerdicts(net);
  return net.ipv4.flatMap((s) => {
    const subnet = ipv4Subnet(s);
    const from: Match = { addr: 'ip', field: 'saddr', is: subnet };
    const out: Match[] = [from, { addr: 'ip', field: 'daddr', not: true, is: subnet }, ...dev];
    return [
      rule([from, { addr: 'ip', field: 'daddr', is: '224.0.0.0/24' }, ...dev], 'return'),
      rule([from, { addr: 'ip', field: 'daddr', is: '255.255.255.255' }, ...dev], 'return'),
      rule([{ meta: 'l4proto', is: 'tcp' }, ...out], target.ports),
      rule([{ meta: 'l4proto', is: 'udp' }, ...out], target.ports),
      rule(out, target.any),
    ];
  });
}

function chains(net: FirewallNetwork): Chain[] {
  const filter = (name: string, rules: Rule[]): Chain => ({ name, type: 'filter', prio: 0, prioText: 'filter', rules });
  return [
    filter('input', inputRules(net)),
    filter('output', outputRules(net)),
    filter('forward', forwardRules(net)),
    ...(net.mode === 'nat' && net.ipv4.length > 0 ? [{ name: 'postrouting', type: 'nat' as const, prio: 100, prioText: 'srcnat', rules: natRules(net) }] : []),
  ];
}

function chainText(c: Chain): string {
  return [`\tchain ${c.name} {`, `\t\ttype ${c.type} hook ${c.name} priority ${c.prioText}; policy accept;`, ...c.rules.map((r) => `\t\t${ruleText(r)}`), '\t}'].join('\n');
}

export function removeRuleset(table: string): string {
  // 'add' first makes the delete succeed when the table is already gone (nft 1.0.6 has no 'destroy')
  return `add table inet ${table}\ndelete table inet ${table}\n`;
}

export function removeCommands(table: string): NftCommand[] {
  const t = { table: { family: 'inet', name: table } };
  return [{ add: t }, { delete: t }];
}

function tableCommands(table: string, cs: readonly Chain[], create = false): NftCommand[] {
  const t = { table: { family: 'inet', name: table } };
  const out: NftCommand[] = create ? [{ create: t }] : [...removeCommands(table), { add: t }];
  for (const c of cs) {
    out.push({ add: { chain: { family: 'inet', table, name: c.name, type: c.type, hook: c.name, prio: c.prio, policy: 'accept' } } });
    for (const r of c.rules) out.push({ add: { rule: { family: 'inet', table, chain: c.name, expr: ruleExpr(r) } } });
  }
  return out;
}

export function firewallPlan(net: FirewallNetwork): FirewallPlan {
  checkNetwork(net);
  const table = tableName(net.name);
  const remove = { removeRuleset: removeRuleset(table), removeCommands: removeCommands(table) };
  if (net.mode === 'open') return { table: null, ruleset: '', commands: [], createRuleset: '', createCommands: [], ...remove };
  const cs = chains(net);
  const body = `table inet ${table} {\n${cs.map(chainText).join('\n')}\n}\n`;
  return {
    table, ruleset: `${removeRuleset(table)}${body}`, commands: tableCommands(table, cs),
    createRuleset: `create table inet ${table}\n${body}`, createCommands: tableCommands(table, cs, true), ...remove,
  };
}
