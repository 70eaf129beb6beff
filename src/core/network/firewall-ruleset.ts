/**
 * The host's whole ruleset as `nft -j list ruleset` gives it (the part the firewall needs), and
 * what virtkit finds in it: its own tables, its tagged rules in other tables' chains, and the
 * other tables' base chains that would drop a network's traffic (a drop anywhere on a hook is
 * final in nftables, whatever virtkit's own table accepts).
 */
import { VirtkitError } from '../errors.js';
import { networkOfTable, networkOfTag } from './firewall-model.js';

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

export interface NftTable {
  readonly family: NftFamily;
  readonly name: string;
}

export interface NftChain extends NftTable {
  readonly table: string;
  readonly hook?: string;
  readonly policy?: string;
}

export interface NftRule {
  readonly family: NftFamily;
  readonly table: string;
  readonly chain: string;
  readonly handle: number;
  readonly comment?: string;
  /** Whether the rule drops or rejects everything that reaches it (no match before the verdict; native or an iptables-nft xt target). */
  readonly blocks: boolean;
  /** The chains it jumps or goes to. */
  readonly jumps: readonly string[];
}

export interface NftRuleset {
  readonly tables: readonly NftTable[];
  readonly chains: readonly NftChain[];
  readonly rules: readonly NftRule[];
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// Statements that neither match nor decide: a rule of only these and a drop drops everything.
const PASSIVE = new Set(['counter', 'log']);

function ruleFacts(expr: unknown): { blocks: boolean; jumps: string[] } {
  let drops = false;
  let conditional = false;
  const jumps: string[] = [];
  for (const stmt of Array.isArray(expr) ? expr : []) {
    if (!isObj(stmt)) continue;
    const xt = stmt.xt;
    if ('drop' in stmt || 'reject' in stmt) drops = true;
    else if (isObj(xt) && xt.type === 'target' && (xt.name === 'REJECT' || xt.name === 'DROP')) drops = true;
    else if (!Object.keys(stmt).every((k) => PASSIVE.has(k) || k === 'jump' || k === 'goto')) conditional = true;
    for (const k of ['jump', 'goto']) {
      const v = stmt[k];
      if (isObj(v) && typeof v.target === 'string') jumps.push(v.target);
    }
  }
  return { blocks: drops && !conditional, jumps };
}

/** Parses `nft -j list ruleset`; anything else is a FIREWALL_ERROR quoting what came. */
export function parseNftRuleset(text: string): NftRuleset {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new VirtkitError('FIREWALL_ERROR', `nft -j list ruleset did not print JSON: ${text.slice(0, 200)}`, { cause: e });
  }
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : undefined;
  if (items === undefined) throw new VirtkitError('FIREWALL_ERROR', `nft -j list ruleset printed no "nftables" list: ${text.slice(0, 200)}`);
  const tables: NftTable[] = [];
  const chains: NftChain[] = [];
  const rules: NftRule[] = [];
  for (const item of items) {
    if (!isObj(item)) continue;
    const { table, chain, rule } = item;
    if (isObj(table)) tables.push({ family: str(table.family) as NftFamily, name: str(table.name) });
    if (isObj(chain)) {
      const c: NftChain = { family: str(chain.family) as NftFamily, table: str(chain.table), name: str(chain.name) };
      chains.push(typeof chain.hook === 'string' ? { ...c, hook: chain.hook, policy: str(chain.policy) || 'accept' } : c);
    }
    if (isObj(rule) && typeof rule.handle === 'number') {
      const r = { family: str(rule.family) as NftFamily, table: str(rule.table), chain: str(rule.chain), handle: rule.handle, ...ruleFacts(rule.expr) };
      rules.push(typeof rule.comment === 'string' ? { ...r, comment: rule.comment } : r);
    }
  }
  return { tables, chains, rules };
}

const sameTable = (a: { family: string; table: string }, b: { family: string; table: string }): boolean => a.family === b.family && a.table === b.table;

/**
 * Whether a chain denies by default: its policy is drop, or it (or a chain it jumps to) has a
 * rule that drops or rejects whatever reaches it (firewalld's final reject). A rule that drops
 * only some traffic (a blocklist: `ip saddr 192.0.2.9 drop`) does not count: it stays in force
 * for the guests too, as the admin meant.
 */
export function chainBlocks(rs: NftRuleset, chain: NftChain): boolean {
  const seen = new Set<string>();
  const walk = (name: string): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const mine = rs.rules.filter((r) => sameTable(r, chain) && r.chain === name);
    return mine.some((r) => r.blocks) || mine.some((r) => r.jumps.some(walk));
  };
  return chain.policy === 'drop' || walk(chain.name);
}

/** Tables of ours (virtkit_*, family inet), with the network each belongs to. */
export function ourTables(rs: NftRuleset): { table: string; network: string }[] {
  return rs.tables.flatMap((t) => {
    const network = t.family === 'inet' ? networkOfTable(t.name) : undefined;
    return network === undefined ? [] : [{ table: t.name, network }];
  });
}

/** Rules of ours in other tables' chains (found by their comment tag), with their network. */
export function taggedRules(rs: NftRuleset): (NftRule & { network: string })[] {
  return rs.rules.flatMap((r) => {
    const network = networkOfTag(r.comment);
    return network === undefined || networkOfTable(r.table) !== undefined ? [] : [{ ...r, network }];
  });
}

/** The text that deletes rules by handle (in one transaction with whatever else it is sent with). */
export function deleteRulesText(rules: readonly NftRule[]): string {
  return rules.map((r) => `delete rule ${r.family} ${r.table} ${r.chain} handle ${r.handle}\n`).join('');
}

/** The same as nft JSON commands. */
export function deleteRulesCommands(rules: readonly NftRule[]): Record<string, unknown>[] {
  return rules.map((r) => ({ delete: { rule: { family: r.family, table: r.table, chain: r.chain, handle: r.handle } } }));
}
