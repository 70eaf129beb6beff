/**
 * A network's firewall on the host: its own table plus the pinholes in other tables' blocking
 * chains (core/network/firewall*.ts computes both), each change one `nft -f -` transaction.
 * Never flushes or rewrites another table: it only inserts and deletes its own tagged rules.
 * docs/firewall.md describes what ends up where.
 */
import { firewallPlan, removeRuleset } from '../../core/network/firewall.js';
import { tableName, type FirewallNetwork } from '../../core/network/firewall-model.js';
import { pinholePlan, pinholesComplete } from '../../core/network/firewall-pinholes.js';
import { deleteRulesText, ourTables, parseNftRuleset, taggedRules, type NftRule, type NftRuleset } from '../../core/network/firewall-ruleset.js';
import type { NftRunner } from './nft-run.js';

export interface FirewallApplied {
  /** The text sent to `nft -f -` (empty when there was nothing to do, as for 'open'). */
  readonly transaction: string;
  /** Other tables' chains that got pinholes ("family table chain"). */
  readonly pinholes: readonly string[];
  /** Blocking chains virtkit could not name: the network's traffic is still dropped there. */
  readonly skipped: readonly string[];
}

export interface FirewallStale {
  /** Tables of ours whose network is not running. */
  readonly tables: readonly string[];
  /** Tagged rules in other tables whose network is not running (or has no table any more). */
  readonly rules: readonly (NftRule & { network: string })[];
}

export async function listRuleset(run: NftRunner): Promise<NftRuleset> {
  return parseNftRuleset(await run(['-j', 'list', 'ruleset']));
}

async function transact(run: NftRunner, text: string): Promise<void> {
  if (text !== '') await run(['-f', '-'], text);
}

/** The text that (re)makes one network's firewall, given the ruleset as it is now. */
export function applyText(net: FirewallNetwork, rs: NftRuleset): { text: string; pinholes: readonly string[]; skipped: readonly string[] } {
  const plan = firewallPlan(net);
  const old = deleteRulesText(taggedRules(rs).filter((r) => r.network === net.name));
  const holes = pinholePlan(net, rs);
  // 'open' has no table: what an earlier mode left is removed all the same
  const table = plan.ruleset === '' ? (ourTables(rs).some((t) => t.network === net.name) ? plan.removeRuleset : '') : plan.ruleset;
  return { text: old + table + holes.text, pinholes: holes.chains, skipped: holes.skipped };
}

/** Starts (or re-makes) a network's firewall in one transaction; nothing changes if it fails. */
export async function applyFirewall(net: FirewallNetwork, run: NftRunner): Promise<FirewallApplied> {
  const { text, pinholes, skipped } = applyText(net, await listRuleset(run));
  await transact(run, text);
  return { transaction: text, pinholes, skipped };
}

function removeText(network: string, rs: NftRuleset): string {
  const rules = deleteRulesText(taggedRules(rs).filter((r) => r.network === network));
  const table = ourTables(rs).some((t) => t.network === network) ? removeRuleset(tableName(network)) : '';
  return rules + table;
}

/** Removes everything of a network's firewall (its table, its tagged rules) in one transaction. */
export async function removeFirewall(network: string, run: NftRunner): Promise<string> {
  const text = removeText(network, await listRuleset(run));
  await transact(run, text);
  return text;
}

export function staleIn(rs: NftRuleset, running: ReadonlySet<string>): FirewallStale {
  return {
    tables: ourTables(rs).filter((t) => !running.has(t.network)).map((t) => t.table),
    rules: taggedRules(rs).filter((r) => !running.has(r.network)),
  };
}

export async function listStale(running: ReadonlySet<string>, run: NftRunner): Promise<FirewallStale> {
  return staleIn(await listRuleset(run), running);
}

export interface FirewallReconciled {
  readonly transaction: string;
  /** Networks whose table or pinholes were missing and were re-made. */
  readonly remade: readonly string[];
  readonly stale: FirewallStale;
}

/**
 * Makes the host match the running networks in one transaction: removes stale tables and tagged
 * rules, and re-makes a running network's firewall when its table or a pinhole is missing (Docker
 * restarted and re-created its chains, someone flushed a table, a new table drops forwarding).
 * The daemon calls it at start and may call it periodically; with nothing to do it sends nothing.
 */
export async function reconcileFirewall(nets: readonly FirewallNetwork[], run: NftRunner): Promise<FirewallReconciled> {
  const rs = await listRuleset(run);
  const stale = staleIn(rs, new Set(nets.map((n) => n.name)));
  let text = deleteRulesText(stale.rules) + stale.tables.map(removeRuleset).join('');
  const remade: string[] = [];
  for (const net of nets) {
    if (net.mode === 'open') continue;
    const hasTable = ourTables(rs).some((t) => t.network === net.name);
    if (hasTable && pinholesComplete(net, rs)) continue;
    remade.push(net.name);
    text += applyText(net, rs).text;
  }
  await transact(run, text);
  return { transaction: text, remade, stale };
}
