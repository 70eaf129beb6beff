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
import { ruleTag, type FirewallNetwork } from './firewall-model.js';
import { chainBlocks, ourTables, taggedRules, type NftChain, type NftRuleset } from './firewall-ruleset.js';

export interface PinholePlan {
  /** `insert rule` lines for `nft -f`, '' when no other table blocks the network. */
  readonly text: string;
  /** The chains they go into, "family table chain". */
  readonly chains: readonly string[];
  /** Blocking chains virtkit cannot name in nft text (not an nft identifier): the network stays blocked there. */
  readonly skipped: readonly string[];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_\-./]*$/;
const where = (c: { family: string; table: string; name: string }): string => `${c.family} ${c.table} ${c.name}`;

function forwardRules(net: FirewallNetwork): string[] {
  const br = `"${net.bridge}"`;
  return net.mode === 'isolated' ? [`iifname ${br} oifname ${br} accept`] : [`iifname ${br} accept`, `oifname ${br} accept`];
}

function inputRules(net: FirewallNetwork, family: string): string[] {
  const v4 = family !== 'ip6' && net.ipv4.length > 0;
  const v6 = family !== 'ip' && net.ipv6.length > 0;
  const udp = [...new Set([...(v4 || v6 ? [53] : []), ...(v4 ? [67] : []), ...(v4 && net.tftp === true ? [69] : []), ...(v6 ? [547] : [])])];
  const tcp = v4 || v6 ? [53] : [];
  // one port a rule: iptables-nft reads `udp dport 53` back as `-p udp -m udp --dport 53`, but not a set
  return [...udp.map((p) => `iifname "${net.bridge}" udp dport ${p} accept`), ...tcp.map((p) => `iifname "${net.bridge}" tcp dport ${p} accept`)];
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
  if (net.mode === 'open') return { text: '', chains: [], skipped: [] };
  const tag = ruleTag(net.name);
  const lines: string[] = [];
  const chains: string[] = [];
  const skipped: string[] = [];
  for (const c of blockingChains(rs)) {
    const rules = c.hook === 'forward' ? forwardRules(net) : inputRules(net, c.family);
    if (rules.length === 0) continue;
    const target = c.hook === 'forward' ? forwardTarget(rs, c) : c.name;
    if (!IDENT.test(c.table) || !IDENT.test(target)) {
      skipped.push(where(c));
      continue;
    }
    chains.push(where({ ...c, name: target }));
    // each insert goes to the top: the last written ends up first, so write them backwards
    for (const r of [...rules].reverse()) lines.push(`insert rule ${c.family} ${c.table} ${target} ${r} comment "${tag}"`);
  }
  return { text: lines.map((l) => `${l}\n`).join(''), chains, skipped };
}

/** Whether every pinhole the network needs is in place (reconcile re-makes them when not). */
export function pinholesComplete(net: FirewallNetwork, rs: NftRuleset): boolean {
  const want = pinholePlan(net, rs);
  const have = taggedRules(rs).filter((r) => r.network === net.name);
  const wantCount = want.text === '' ? 0 : want.text.trimEnd().split('\n').length;
  return have.length === wantCount && want.chains.every((ch) => have.some((r) => where({ ...r, name: r.chain }) === ch));
}
