/**
 * Starting and stopping networks. Start: check (other networks, host routes and links), plan
 * (core/network/start-plan.ts), record 'starting' (so that a daemon killed half-way leaves a
 * record the next start reconciles), carry the plan out (host-steps.ts: undone on failure),
 * record 'running'. Destroy: take it all off the host, then drop the record. A dnsmasq that
 * exits while its network runs is started again, with a 'dnsmasq-restarted' event.
 */
import { VirtkitError } from '../../core/errors.js';
import { networkStartPlan, type NetworkStartPlan } from '../../core/network/start-plan.js';
import type { NetworkDef } from '../../core/xml/network/index.js';
import type { NetworkContext } from './context.js';
import { isOurDnsmasq, startDnsmasq } from './dnsmasq-proc.js';
import { checkHostBridge, isVfPool, onHostBridge } from './host-bridge.js';
import { logFileOf, makeNetwork, unmakeNetwork } from './host-steps.js';
import { checkHost, checkOtherNetworks, networkXml, parseStoredNetwork } from './network-xml.js';
import { attachWaitingLinks, detachPeerLinks, linkDevsOf, linkCommandsFor } from './net-links.js';
import type { NetworkRecord } from './records.js';

export interface JobOpts {
  readonly wait?: number | undefined;
}

export async function planFor(ctx: NetworkContext, def: NetworkDef): Promise<NetworkStartPlan> {
  return networkStartPlan(def, {
    stateDir: ctx.deps.stateDir, dnsmasqVersion: await ctx.dnsmasqVersion(), dnsmasqBin: ctx.deps.dnsmasqBin, linkCommands: linkCommandsFor(ctx, def),
  });
}

export function requireInactive(n: NetworkRecord, what: string): void {
  if (n.active) throw new VirtkitError('OPERATION_INVALID', `cannot ${what} network '${n.name}': it is active; destroy (stop) it first`, { details: { network: n.name } });
}

export function requireActive(n: NetworkRecord, what: string): void {
  if (!n.active) throw new VirtkitError('OPERATION_INVALID', `cannot ${what} network '${n.name}': it is not active; start it first (net-start)`, { details: { network: n.name } });
}

async function saveStatus(ctx: NetworkContext, n: NetworkRecord, state: 'starting' | 'running', xml: string, bridge: string, pid: number | null): Promise<void> {
  await ctx.deps.status.save({
    name: n.name, uuid: n.uuid, xml, persistent: n.persistent, state, bridge, dnsmasqPid: pid,
    startedAt: new Date((ctx.deps.now ?? Date.now)()).toISOString(),
  });
}

/** Starts `n` (its lock held, inactive). */
export async function activate(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  checkOtherNetworks(ctx, n.def);
  if (isVfPool(n.def)) {
    await saveStatus(ctx, n, 'running', networkXml(n.def), '', null);
    n.active = true;
    return;
  }
  if (onHostBridge(n.def)) {
    // The admin's bridge: checked, recorded, nothing made.
    await saveStatus(ctx, n, 'running', networkXml(n.def), await checkHostBridge(ctx, n.def), null);
    n.active = true;
    return;
  }
  await checkHost(ctx, n.def, undefined);
  const plan = await planFor(ctx, n.def);
  const xml = networkXml(n.def);
  await saveStatus(ctx, n, 'starting', xml, plan.bridge, null);
  try {
    n.stopping = false;
    n.dnsmasq = await makeNetwork(ctx, plan, (code, signal) => onDnsmasqExit(ctx, n, code, signal));
    await saveStatus(ctx, n, 'running', xml, plan.bridge, n.dnsmasq.pid);
  } catch (e) {
    if (n.dnsmasq !== undefined) {
      await unmakeNetwork(ctx, { network: n.name, bridge: plan.bridge, files: plan.files, dnsmasq: n.dnsmasq, firewall: plan.firewall !== null, links: plan.links }).catch(() => undefined);
      n.dnsmasq = undefined;
    }
    await ctx.deps.status.delete(n.name).catch(() => undefined);
    throw e;
  }
  n.active = true;
  await attachWaitingLinks(ctx, n);
}

/** Takes `n` (its lock held, active) off the host and records it inactive. */
export async function deactivate(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  n.stopping = true;
  if (!onHostBridge(n.def) && !isVfPool(n.def)) {
    const plan = await planFor(ctx, n.def);
    await detachPeerLinks(ctx, n);
    await unmakeNetwork(ctx, { network: n.name, bridge: plan.bridge, files: plan.files, dnsmasq: n.dnsmasq, firewall: true, links: linkDevsOf(n.def) });
  }
  await ctx.deps.status.delete(n.name);
  n.dnsmasq = undefined;
  n.active = false;
  if (n.persistent) n.def = parseStoredNetwork(n.xml);
  else ctx.networks.remove(n);
}

/** Records the running definition (after a live change) and dnsmasq's pid. */
export async function recordRunning(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  await saveStatus(ctx, n, 'running', networkXml(n.def), n.def.bridge?.name ?? '', n.dnsmasq?.pid ?? null);
}

/** Starts dnsmasq again for a running network (its lock held). */
export async function respawnDnsmasq(ctx: NetworkContext, n: NetworkRecord): Promise<void> {
  const plan = await planFor(ctx, n.def);
  n.dnsmasq = await startDnsmasq(plan.dnsmasqArgv, plan.files.pidFile, logFileOf(plan.files), (code, signal) => onDnsmasqExit(ctx, n, code, signal));
  await saveStatus(ctx, n, 'running', networkXml(n.def), plan.bridge, n.dnsmasq.pid);
}

const ADOPTED_POLL_MS = 2_000;

/**
 * A dnsmasq re-adopted after a daemon restart is no child of this daemon: its exit is noticed by
 * looking at /proc now and then (until the network stops or dnsmasq is started again as a child).
 */
export function watchAdopted(ctx: NetworkContext, n: NetworkRecord, confArg: string): void {
  const h = n.dnsmasq;
  if (h === undefined || h.child !== undefined) return;
  const timer = setInterval(() => {
    if (n.stopping || !n.active || n.dnsmasq !== h) {
      clearInterval(timer);
      return;
    }
    void isOurDnsmasq(h.pid, confArg).then((alive) => {
      if (alive || n.stopping || !n.active || n.dnsmasq !== h) return;
      clearInterval(timer);
      onDnsmasqExit(ctx, n, null, null);
    });
  }, ADOPTED_POLL_MS);
  timer.unref();
}

const MAX_RESPAWNS = 5;
const respawns = new WeakMap<NetworkRecord, number>();

function onDnsmasqExit(ctx: NetworkContext, n: NetworkRecord, code: number | null, signal: string | null): void {
  if (n.stopping || !n.active) return;
  const count = (respawns.get(n) ?? 0) + 1;
  respawns.set(n, count);
  const how = signal ?? (code === null ? 'found gone' : `exit ${code}`);
  if (count > MAX_RESPAWNS) {
    ctx.deps.log.error(`network '${n.name}': dnsmasq exited (${how}) ${count} times; not restarting it again (net-destroy and net-start the network)`);
    n.dnsmasq = undefined;
    return;
  }
  ctx.deps.log.warn(`network '${n.name}': dnsmasq exited (${how}); starting it again`);
  void ctx.job(n.name, 'dnsmasq-restart', 60_000, async () => {
    if (n.stopping || !n.active) return;
    await respawnDnsmasq(ctx, n);
    ctx.events.emit(n, 'dnsmasq-restarted');
  }).catch((e: unknown) => ctx.deps.log.error(`network '${n.name}': cannot restart dnsmasq: ${(e as Error).message}`));
}
