/**
 * Start-up: rebuild the registry from the stores and reconnect to the guests
 * a previous daemon left running. A definition that no longer parses is
 * reported and left on disk untouched (never deleted: a human decides).
 */
import { formatDomain, parseDomain, prepareDomain, summarizeDomain } from '../domain-xml.js';
import { domainRuntimePaths } from '../paths.js';
import type { DomainStatus } from '../store/types.js';
import { newRecord } from './config-ops.js';
import type { EngineContext } from './context.js';
import type { DomainRecord } from './registry.js';

export interface LoadReport {
  readonly domains: number;
  readonly running: number;
  readonly skipped: readonly string[];
}

export async function loadState(ctx: EngineContext): Promise<LoadReport> {
  const skipped: string[] = [];
  const [stored, statuses] = await Promise.all([ctx.deps.config.loadAll(), ctx.deps.status.loadAll()]);
  const repairs: Promise<void>[] = [];
  for (const s of stored) {
    try {
      const parsed = parseDomain(s.xml);
      if (parsed.name !== s.name) throw new Error(`its <name> is '${parsed.name}', not '${s.name}'`);
      const def = prepareDomain(parsed, ctx.deps.prepare);
      // A hand-written file without a uuid gets one now, written back so that it stays.
      if (parsed.uuid === undefined) repairs.push(ctx.deps.config.save(s.name, formatDomain(def)));
      ctx.registry.add(newRecord(def, true, s.autostart));
    } catch (e) {
      skipped.push(s.name);
      ctx.log.error(`ignoring the definition of '${s.name}': ${(e as Error).message}`);
    }
  }
  await Promise.all(repairs);
  let running = 0;
  await Promise.all(statuses.map(async (st) => {
    if (await reattach(ctx, st)) running++;
  }));
  return { domains: ctx.registry.size, running, skipped };
}

async function reattach(ctx: EngineContext, st: DomainStatus): Promise<boolean> {
  let rec: DomainRecord | undefined = ctx.registry.byName(st.name);
  let liveDef;
  try {
    liveDef = prepareDomain(parseDomain(st.xml), ctx.deps.prepare);
  } catch (e) {
    ctx.log.error(`ignoring the status of '${st.name}': ${(e as Error).message}`);
    return false;
  }
  if (rec && rec.uuid !== st.uuid) {
    ctx.log.error(`ignoring the status of '${st.name}': its UUID ${st.uuid} is not the defined one, ${rec.uuid}`);
    return false;
  }
  if (!rec) {
    rec = newRecord(liveDef, false);
    ctx.registry.add(rec);
  }
  const base = {
    id: st.id, liveDef, liveSummary: summarizeDomain(liveDef), pid: st.pid, qmpSocket: st.qmpSocket,
    startedAt: new Date(st.startedAt), argv: st.argv, aliases: st.aliases,
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
    ctx.watch(rec, handle);
    ctx.registry.add(rec); // records the id so that new ids do not collide
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
