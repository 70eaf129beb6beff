/**
 * A network's firewall on the host: its own table plus the pinholes in other tables' blocking
 * chains (core/network/firewall*.ts computes both), each change one `nft -j -f FILE` transaction.
 * Never flushes or rewrites another table: it only inserts and deletes its own tagged rules.
 * docs/firewall.md describes what ends up where.
 */
import { firewallPlan, removeCommands, removeRuleset, type NftCommand } from '../../core/network/firewall.js';
import { tableName, type FirewallNetwork } from '../../core/network/firewall-model.js';
import { pinholePlan, pinholesComplete } from '../../core/network/firewall-pinholes.js';
import { deleteRulesCommands, deleteRulesText, ourTables, parseNftRuleset, taggedRules, type NftRule, type NftRuleset } from '../../core/network/firewall-ruleset.js';
import type { NftRunner } from './nft-run.js';

/** One transaction: nft text to show, the JSON commands that were sent. */
export interface Transaction {
  readonly text: string;
  readonly commands: readonly NftCommand[];
}

export interface FirewallApplied {
  /** What was sent as one transaction, as nft text (empty when there was nothing to do, as for 'open'). */
  readonly transaction: string;
  /** Other tables' chains that got pinholes ("family table chain"), once each. */
  readonly pinholes: readonly string[];
}

export interface FirewallStale {
  /** Tables of ours whose network is not running. */
  readonly tables: readonly string[];
  /** Tagged rules in other tables whose network is not running. */
  readonly rules: readonly (NftRule & { network: string })[];
}

export async function listRuleset(run: NftRunner): Promise<NftRuleset> {
  return parseNftRuleset(await run(['-j', 'list', 'ruleset']));
}

const EMPTY: Transaction = { text: '', commands: [] };
const join = (...ts: Transaction[]): Transaction => ({ text: ts.map((t) => t.text).join(''), commands: ts.flatMap((t) => t.commands) });

async function transact(run: NftRunner, t: Transaction): Promise<void> {
  if (t.commands.length > 0) await run(['-j'], JSON.stringify({ nftables: t.commands }));
}

/**
 * Lists the ruleset, builds the transaction from it and sends it. When nft refuses it, another
 * program may have changed the ruleset in between (Docker re-made a chain: a handle virtkit
 * deletes is gone); nothing was applied, so it lists and tries once more, and then reports.
 */
async function listAndSend<T extends Transaction>(run: NftRunner, build: (rs: NftRuleset) => T): Promise<T> {
  const first = build(await listRuleset(run));
  try {
    await transact(run, first);
    return first;
  } catch {
    const again = build(await listRuleset(run));
    await transact(run, again);
    return again;
  }
}

function removeOf(network: string, rs: NftRuleset): Transaction {
  const tagged = taggedRules(rs).filter((r) => r.network === network);
  const table = tableName(network);
  const has = ourTables(rs).some((t) => t.network === network);
  return join(
    { text: deleteRulesText(tagged), commands: deleteRulesCommands(tagged) },
    has ? { text: removeRuleset(table), commands: removeCommands(table) } : EMPTY,
  );
}

/** The transaction that (re)makes one network's firewall, given the ruleset as it is now. */
export function applyTransaction(net: FirewallNetwork, rs: NftRuleset): Transaction & { pinholes: readonly string[] } {
  const plan = firewallPlan(net);
  const holes = pinholePlan(net, rs);
  // What is there is removed first (an earlier mode's table, old pinholes), in the same transaction.
  // With no table listed, it is created (`create` fails if one was made since the listing: then
  // listAndSend lists again and replaces it), without a `delete table`, which costs a start ~8 ms.
  const has = ourTables(rs).some((x) => x.network === net.name);
  const table = has ? { text: plan.ruleset, commands: plan.commands } : { text: plan.createRuleset, commands: plan.createCommands };
  const t = join(removeOf(net.name, rs), table, holes);
  return { ...t, pinholes: [...new Set(holes.chains)] };
}

/** Starts (or re-makes) a network's firewall in one transaction; nothing changes if it fails. */
export async function applyFirewall(net: FirewallNetwork, run: NftRunner): Promise<FirewallApplied> {
  const t = await listAndSend(run, (rs) => applyTransaction(net, rs));
  return { transaction: t.text, pinholes: t.pinholes };
}

/** Removes everything of a network's firewall (its table, its tagged rules) in one transaction. */
export async function removeFirewall(network: string, run: NftRunner): Promise<string> {
  return (await listAndSend(run, (rs) => removeOf(network, rs))).text;
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
  const t = await listAndSend(run, (rs) => reconcileTransaction(nets, rs));
  return { transaction: t.text, remade: t.remade, stale: t.stale };
}

function reconcileTransaction(nets: readonly FirewallNetwork[], rs: NftRuleset): Transaction & { remade: string[]; stale: FirewallStale } {
  const stale = staleIn(rs, new Set(nets.map((n) => n.name)));
  const parts: Transaction[] = [
    { text: deleteRulesText(stale.rules), commands: deleteRulesCommands(stale.rules) },
    ...stale.tables.map((t) => ({ text: removeRuleset(t), commands: removeCommands(t) })),
  ];
  const remade: string[] = [];
  for (const net of nets) {
    if (net.mode === 'open') continue;
    const hasTable = ourTables(rs).some((t) => t.network === net.name);
    if (hasTable && pinholesComplete(net, rs)) continue;
    remade.push(net.name);
    parts.push(applyTransaction(net, rs));
  }
  return { ...join(...parts), remade, stale };
}
