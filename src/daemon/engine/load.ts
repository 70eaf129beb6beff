/**
 * Start-up: rebuild the registry from the stores and reconnect to the guests
 * a previous daemon left running. Definitions whose summary is cached (by the
 * hash of their XML) are not parsed; a definition that no longer parses is
 * reported and left on disk untouched (never deleted: a human decides).
 */
import type { DomainDef } from '../domain-xml.js';
import { domainRuntimePaths } from '../paths.js';
import { hashXml, noSummaryCache } from '../store/summary-cache.js';
import { recordedCommitsOf, type DomainStatus, type StoredDomain } from '../store/types.js';
import { newRecord } from './config-ops.js';
import type { EngineContext } from './context.js';
import { holdingFrom } from './placement.js';
import type { DomainRecord } from './registry.js';
import type { StorageLoadReport } from '../storage/load.js';
import { resumeBlockJobs } from '../snapshots/block-job-restart.js';

export interface LoadReport {
  readonly domains: number;
  readonly running: number;
  readonly skipped: readonly string[];
  /** Definitions that had to be parsed (not in the summary cache). */
  readonly parsed: number;
  /** Storage pools (absent when they could not be loaded). */
  readonly pools?: StorageLoadReport;
}

export async function loadState(ctx: EngineContext): Promise<LoadReport> {
  const skipped: string[] = [];
  const [stored, statuses, cache] = await Promise.all([
    ctx.deps.config.loadAll(), ctx.deps.status.loadAll(), (ctx.deps.summaries ?? noSummaryCache).load(),
  ]);
  let parsed = 0;
  for (const s of stored) {
    const hit = cache.get(s.name);
    if (hit && hit.hash === hashXml(s.xml)) {
      ctx.registry.add(newRecord({ xml: s.xml, summary: hit.summary }, true, s.autostart));
      continue;
    }
    parsed++;
    try {
      ctx.registry.add(await parseStored(ctx, s));
    } catch (e) {
      skipped.push(s.name);
      ctx.log.error(`ignoring the definition of '${s.name}': ${(e as Error).message}`);
    }
  }
  if (parsed > 0 || cache.size !== stored.length - skipped.length) ctx.definitionsChanged();
  let running = 0;
  await Promise.all(statuses.map(async (st) => {
    if (await reattach(ctx, st)) running++;
  }));
  return { domains: ctx.registry.size, running, skipped, parsed };
}

async function parseStored(ctx: EngineContext, s: StoredDomain): Promise<DomainRecord> {
  const x = await ctx.xml();
  const def = x.parseDomain(s.xml);
  if (def.name !== s.name) throw new Error(`its <name> is '${def.name}', not '${s.name}'`);
  if (def.uuid !== undefined) return newRecord({ xml: s.xml, def, summary: x.summarizeDomain(def) }, true, s.autostart);
  // A hand-written file without a uuid gets one now, written back so that it stays.
  const prepared = x.prepareDomain(def, ctx.deps.prepare);
  const xml = x.formatDomain(prepared);
  await ctx.deps.config.save(s.name, xml);
  return newRecord({ xml, def: prepared, summary: x.summarizeDomain(prepared) }, true, s.autostart);
}

async function reattach(ctx: EngineContext, st: DomainStatus): Promise<boolean> {
  const x = await ctx.xml();
  let rec: DomainRecord | undefined = ctx.registry.byName(st.name);
  let liveDef: DomainDef;
  try {
    liveDef = x.parseDomain(st.xml); // recorded as it ran: nothing to fill in
  } catch (e) {
    ctx.log.error(`ignoring the status of '${st.name}': ${(e as Error).message}`);
    return false;
  }
  if (rec && rec.uuid !== st.uuid) {
    ctx.log.error(`ignoring the status of '${st.name}': its UUID ${st.uuid} is not the defined one, ${rec.uuid}`);
    return false;
  }
  if (!rec) {
    rec = newRecord({ xml: st.xml, def: liveDef, summary: x.summarizeDomain(liveDef) }, false);
    ctx.registry.add(rec);
  }
  const base = {
    id: st.id, liveDef, liveSummary: x.summarizeDomain(liveDef), pid: st.pid, qmpSocket: st.qmpSocket,
    startedAt: new Date(st.startedAt), argv: st.argv, aliases: st.aliases, ...placementOf(st),
    ...(st.blockCommits === undefined ? {} : { commits: recordedCommitsOf(st.blockCommits) }),
  };
  rec.state = { state: st.state, reason: st.reason } as DomainRecord['state'];
  try {
    const driver = await ctx.driver();
    const handle = await driver.reattach(liveDef, st, domainRuntimePaths(ctx.deps.layout, st.name, st.uuid));
    if (!handle) {
      // The guest went away while no daemon watched it.
      rec.runtime = { ...base, handle: undefined };
      ctx.markStopped(rec, undefined, 'unknown');
      return false;
    }
    rec.runtime = { ...base, handle };
    // The driver may have dropped what the status recorded ahead of a change it never saw end (a hot-plugged NIC).
    const nics = (d: DomainDef): number => d.devices?.interface?.length ?? 0;
    if (nics(handle.liveDef) !== nics(liveDef)) {
      rec.runtime = { ...rec.runtime, liveDef: handle.liveDef, liveSummary: x.summarizeDomain(handle.liveDef) };
      void ctx.persistStatus(rec);
    }
    ctx.watch(rec, handle);
    ctx.registry.add(rec); // records the id so that new ids do not collide
    const r = rec;
    void resumeBlockJobs(ctx, r).catch((e: unknown) => ctx.log.warn(`cannot take over the block jobs of domain '${r.name}': ${(e as Error).message}`));
    return true;
  } catch (e) {
    // Keep the status file: the guest may well be running; say why it cannot be managed.
    const why = (e as Error).message;
    rec.runtime = { ...base, handle: undefined, detachedWhy: why };
    ctx.registry.add(rec);
    ctx.log.error(`cannot reconnect to running domain '${st.name}' (pid ${st.pid}): ${why}`);
    return true;
  }
}

/** The holding a status file records (a damaged one is dropped, and logged by nobody: the pins stay in the live XML). */
function placementOf(st: DomainStatus): { placement?: NonNullable<ReturnType<typeof holdingFrom>> } {
  const h = holdingFrom(st.placement);
  return h === undefined ? {} : { placement: h };
}
