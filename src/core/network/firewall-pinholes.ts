/**
 * Coexistence: a packet must be accepted by every base chain on its hook, so another table's
 * forward or input chain that drops (Docker's iptables-nft `filter FORWARD` with policy DROP, a
 * hand-written `policy drop` table) blocks a network whatever virtkit's own table says. For each
 * such chain virtkit inserts, at its top, rules that only say "leave this bridge's traffic to
 * virtkit's own table" (which still accepts or rejects it precisely), tagged with a comment
 * naming the network, and removes exactly those rules by handle when the network stops.
 *
 * The rules use only iifname/oifname, udp/tcp dport, accept and a comment: iptables-nft
 * translates those back (`-i br0 -m comment --comment ... -j ACCEPT`), so Docker and `iptables`
 * still list and change their tables (a native `ct state` match would make iptables-nft call the
 * table incompatible). In an iptables-nft filter table with Docker's DOCKER-USER chain, the
 * forward rules go there, Docker's documented place for the host's own rules.
 */
import type { NftCommand } from './firewall.js';
import { ruleTag, type FirewallNetwork } from './firewall-model.js';
import { ruleExpr, ruleText, type Rule } from './firewall-rules.js';
import { chainBlocks, ourTables, taggedRules, type NftChain, type NftRuleset } from './firewall-ruleset.js';

export interface PinholePlan {
  /** `insert rule` lines as nft text (for display), '' when no other table blocks the network. */
  readonly text: string;
  /** The same as nft JSON commands (what is sent). */
  readonly commands: readonly NftCommand[];
  /** The chains they go into, "family table chain", one entry a rule. */
  readonly chains: readonly string[];
}

const where = (c: { family: string; table: string; chain: string }): string => `${c.family} ${c.table} ${c.chain}`;

function forwardRules(net: FirewallNetwork): Rule[] {
  const br = net.bridge;
  return net.mode === 'isolated'
    ? [{ match: [{ meta: 'iifname', is: br }, { meta: 'oifname', is: br }], verdict: 'accept' }]
    : [{ match: [{ meta: 'iifname', is: br }], verdict: 'accept' }, { match: [{ meta: 'oifname', is: br }], verdict: 'accept' }];
}

function inputRules(net: FirewallNetwork, family: string): Rule[] {
  const v4 = family !== 'ip6' && net.ipv4.length > 0;
  const v6 = family !== 'ip' && net.ipv6.length > 0;
  const udp = [...new Set([...(v4 || v6 ? [53] : []), ...(v4 ? [67] : []), ...(v4 && net.tftp === true ? [69] : []), ...(v6 ? [547] : [])])];
  const tcp = v4 || v6 ? [53] : [];
  // one port a rule: iptables-nft reads `udp dport 53` back as `-p udp -m udp --dport 53`, but not a set
  const one = (proto: 'udp' | 'tcp', p: number): Rule => ({ match: [{ meta: 'iifname', is: net.bridge }, { dport: proto, is: [p] }], verdict: 'accept' });
  return [...udp.map((p) => one('udp', p)), ...tcp.map((p) => one('tcp', p))];
}

/** Where forward rules for a blocking chain go: Docker's DOCKER-USER when its FORWARD jumps there. */
function forwardTarget(rs: NftRuleset, c: NftChain): string {
  const xtables = (c.family === 'ip' || c.family === 'ip6') && c.table === 'filter' && c.name === 'FORWARD';
  const jumpsToUser = rs.rules.some((r) => r.family === c.family && r.table === c.table && r.chain === c.name && r.jumps.includes('DOCKER-USER'));
  return xtables && jumpsToUser ? 'DOCKER-USER' : c.name;
}

/** The foreign base chains on the forward and input hooks that can drop or reject. */
export function blockingChains(rs: NftRuleset): NftChain[] {
  const ours = new Set(ourTables(rs).map((t) => t.table));
  return rs.chains.filter((c) => (c.hook === 'forward' || c.hook === 'input')
    && (c.family === 'ip' || c.family === 'ip6' || c.family === 'inet')
    && !(c.family === 'inet' && ours.has(c.table))
    && chainBlocks(rs, c));
}

export function pinholePlan(net: FirewallNetwork, rs: NftRuleset): PinholePlan {
  if (net.mode === 'open') return { text: '', commands: [], chains: [] };
  const comment = ruleTag(net.name);
  const text: string[] = [];
  const commands: NftCommand[] = [];
  const chains: string[] = [];
  for (const c of blockingChains(rs)) {
    const rules = c.hook === 'forward' ? forwardRules(net) : inputRules(net, c.family);
    const at = { family: c.family, table: c.table, chain: c.hook === 'forward' ? forwardTarget(rs, c) : c.name };
    // each insert goes to the top: the last sent ends up first, so send them backwards
    for (const r of [...rules].reverse()) {
      chains.push(where(at));
      text.push(`insert rule ${where(at)} ${ruleText({ ...r, comment })}\n`);
      commands.push({ insert: { rule: { ...at, expr: ruleExpr(r), comment } } });
    }
  }
  return { text: text.join(''), commands, chains };
}

/** Whether every pinhole the network needs is in place (reconcile re-makes them when not). */
export function pinholesComplete(net: FirewallNetwork, rs: NftRuleset): boolean {
  const want = [...pinholePlan(net, rs).chains].sort();
  const have = taggedRules(rs).filter((r) => r.network === net.name).map((r) => where(r)).sort();
  return JSON.stringify(want) === JSON.stringify(have);
}
