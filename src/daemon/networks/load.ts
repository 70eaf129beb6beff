/**
 * Start-up of the network side: definitions from the store, then the status files of networks
 * that were started, reconciled with the host. A 'running' network whose bridge is still there
 * is re-adopted: its dnsmasq found by its pid file (started again if gone; watched through /proc
 * from then on, as it is no child of this daemon), its firewall table
 * made again in one transaction (replacing what is there: a flushed table or a missing pinhole
 * is repaired). One whose bridge is gone, and one left 'starting' by a daemon killed half-way,
 * is taken off the host (dnsmasq, table, bridge, files) and recorded inactive.
 * Bridges that destroyed networks left renamed but not deleted (a daemon killed meanwhile) are
 * deleted (bridge-graveyard.ts). Only what this instance recorded is touched: other instances (system, session, test roots)
 * share the host's links and nftables, so a virtkit table or bridge that no status file of this
 * instance names may be another instance's and is left alone.
 */
import { dnsmasqPaths } from '../../core/network/dnsmasq.js';
import { applyFirewall } from '../../host/net/nft.js';
import type { NetworkContext } from './context.js';
import { findDnsmasq } from './dnsmasq-proc.js';
import { confArgOf, unmakeNetwork } from './host-steps.js';
import { planFor, recordRunning, respawnDnsmasq, watchAdopted } from './lifecycle.js';
import { hostLinkNames, parseStoredNetwork } from './network-xml.js';
import { isVfPool, onHostBridge } from './host-bridge.js';
import { linkDevsOf } from './net-links.js';
import { startNetwork } from './network-ops.js';
import type { NetworkRecord, NetworkStatus } from './records.js';

export interface NetworkLoadReport {
  readonly networks: number;
  readonly active: number;
  readonly skipped: readonly string[];
}

export async function loadNetworks(ctx: NetworkContext): Promise<NetworkLoadReport> {
  const [stored, statuses] = await Promise.all([ctx.deps.config.loadAll(), ctx.deps.status.loadAll()]);
  const skipped: string[] = [];
  for (const s of stored) {
    try {
      const def = parseStoredNetwork(s.xml);
      if (def.name !== s.name || def.uuid === undefined) throw new Error(`its <name> is '${def.name}', not '${s.name}', or it has no <uuid>`);
      ctx.networks.add({ name: s.name, uuid: def.uuid, xml: s.xml, def, persistent: true, autostart: s.autostart, active: false, dnsmasq: undefined, stopping: false });
    } catch (e) {
      skipped.push(s.name);
      ctx.deps.log.error(`ignoring the definition of network '${s.name}': ${(e as Error).message}`);
    }
  }
  // Bridges of destroyed networks that a killed daemon left renamed but not deleted (bridge-graveyard.ts).
  const graves = await ctx.graveyard.reconcile();
  if (graves > 0) ctx.deps.log.warn(`deleted ${graves} bridge(s) of destroyed networks left by the previous virtkitd`);
  let active = 0;
  for (const st of statuses) {
    if (await reconcile(ctx, st)) active++;
  }
  return { networks: ctx.networks.size, active, skipped };
}

async function teardown(ctx: NetworkContext, st: NetworkStatus): Promise<void> {
  let links: string[] = [];
  try {
    links = linkDevsOf(parseStoredNetwork(st.xml));
  } catch (e) {
    ctx.deps.log.error(`network '${st.name}': its recorded XML does not parse (${(e as Error).message}); its veth links, if any, are left`);
  }
  await unmakeNetwork(ctx, { network: st.name, bridge: st.bridge, files: dnsmasqPaths(ctx.deps.stateDir, st.name), dnsmasq: undefined, firewall: true, links });
  await ctx.deps.status.delete(st.name);
}

async function reconcile(ctx: NetworkContext, st: NetworkStatus): Promise<boolean> {
  let n: NetworkRecord | undefined = ctx.networks.byName(st.name);
  // Never torn down: its bridge is the admin's.
  if (isHostBridgeXml(st.xml)) return readoptHostBridge(ctx, st, n);
  try {
    if (st.state === 'starting' || !(await hostLinkNames(ctx)).has(st.bridge)) {
      ctx.deps.log.warn(`network '${st.name}': ${st.state === 'starting' ? 'its start was interrupted' : `its bridge ${st.bridge} is gone`}; removing what is left of it`);
      await teardown(ctx, st);
      return false;
    }
    const def = parseStoredNetwork(st.xml);
    if (n && n.uuid !== st.uuid) throw new Error(`its UUID ${st.uuid} is not the defined one, ${n.uuid}`);
    if (!n) {
      n = { name: st.name, uuid: st.uuid, xml: st.xml, def, persistent: false, autostart: false, active: false, dnsmasq: undefined, stopping: false };
      ctx.networks.add(n);
    }
    n.def = def;
    n.active = true;
    const plan = await planFor(ctx, def);
    if (plan.firewall !== null) await applyFirewall(plan.firewall, ctx.deps.nft);
    const pid = await findDnsmasq(plan.files.pidFile, confArgOf(plan.files));
    if (pid !== undefined) {
      n.dnsmasq = { pid, child: undefined };
      await recordRunning(ctx, n);
      watchAdopted(ctx, n, confArgOf(plan.files));
    } else {
      ctx.deps.log.warn(`network '${st.name}': its dnsmasq is gone; starting it again`);
      await respawnDnsmasq(ctx, n);
    }
    return true;
  } catch (e) {
    ctx.deps.log.error(`network '${st.name}': cannot re-adopt it (${(e as Error).message}); removing it from the host`);
    if (n) n.active = false;
    if (n && !n.persistent) ctx.networks.remove(n);
    await teardown(ctx, st).catch((err: unknown) => ctx.deps.log.error(`network '${st.name}': ${(err as Error).message}`));
    return false;
  }
}

function isHostBridgeXml(xml: string): boolean {
  try {
    const def = parseStoredNetwork(xml);
    return onHostBridge(def) || isVfPool(def);
  } catch {
    return false;
  }
}

/**
 * A network on a host bridge, or a VF pool (host-bridge.ts), made nothing on the host, so nothing is removed:
 * re-adopted while its bridge is there, else only its record is dropped.
 */
async function readoptHostBridge(ctx: NetworkContext, st: NetworkStatus, rec: NetworkRecord | undefined): Promise<boolean> {
  if (st.state !== 'running') return dropRecord(ctx, st, 'its start was interrupted');
  const def = parseStoredNetwork(st.xml);
  if (rec !== undefined && rec.uuid !== st.uuid) return dropRecord(ctx, st, `its UUID ${st.uuid} is not the defined one, ${rec.uuid}`);
  // A VF pool (bridge '') has no link to look for.
  if (st.bridge !== '' && !(await hostLinkNames(ctx)).has(st.bridge)) return dropRecord(ctx, st, `its host bridge ${st.bridge} is gone`);
  let n = rec;
  if (n === undefined) {
    n = { name: st.name, uuid: st.uuid, xml: st.xml, def, persistent: false, autostart: false, active: false, dnsmasq: undefined, stopping: false };
    ctx.networks.add(n);
  }
  n.def = def;
  n.active = true;
  return true;
}

async function dropRecord(ctx: NetworkContext, st: NetworkStatus, why: string): Promise<false> {
  ctx.deps.log.warn(`network '${st.name}': ${why}; recorded inactive (its host bridge is not virtkit's: nothing removed)`);
  await ctx.deps.status.delete(st.name);
  return false;
}

/** Starts every inactive network marked autostart; failures are logged, not thrown. */
export async function autostartNetworks(ctx: NetworkContext): Promise<number> {
  let n = 0;
  for (const rec of ctx.networks.all().filter((r) => r.autostart && !r.active)) {
    try {
      await startNetwork(ctx, rec.name, { wait: 60_000 });
      n++;
    } catch (e) {
      ctx.deps.log.error(`cannot autostart network '${rec.name}': ${(e as Error).message}`);
    }
  }
  return n;
}
