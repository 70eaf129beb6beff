/**
 * Start-up of the storage side: pool definitions from the store, active pools
 * from their status files (a pool whose mount or directory is gone is marked
 * inactive), mounts that a daemon killed before it wrote the status left
 * behind (adopted), then autostart. A definition that does not parse is
 * reported and left on disk, never deleted.
 */
import { backendFor } from './backends.js';
import type { StorageContext } from './context.js';
import { refreshRecord, startPool } from './pool-ops.js';
import type { PoolRecord, PoolStatus } from './records.js';
import { emptySpace } from './volumes.js';

export interface StorageLoadReport {
  readonly pools: number;
  readonly active: number;
  readonly skipped: readonly string[];
}

export async function loadPools(ctx: StorageContext): Promise<StorageLoadReport> {
  const [stored, statuses] = await Promise.all([ctx.deps.config.loadAll(), ctx.deps.status.loadAll()]);
  const skipped: string[] = [];
  // No pools: the XML model is not even loaded (start-up time).
  if (stored.length === 0 && statuses.length === 0) return { pools: 0, active: 0, skipped };
  const x = await ctx.xml();
  for (const s of stored) {
    try {
      const def = x.parseStoredPool(s.xml);
      if (def.name !== s.name || def.uuid === undefined) throw new Error(`its <name> is '${def.name}', not '${s.name}', or it has no <uuid>`);
      ctx.pools.add({
        name: s.name, uuid: def.uuid, xml: s.xml, def, persistent: true, autostart: s.autostart, state: 'inactive',
        space: emptySpace(), volumes: new Map(),
      });
    } catch (e) {
      skipped.push(s.name);
      ctx.deps.log.error(`ignoring the definition of pool '${s.name}': ${(e as Error).message}`);
    }
  }
  let active = 0;
  const withStatus = new Set<string>();
  for (const st of statuses) {
    withStatus.add(st.name);
    if (await reactivate(ctx, st)) active++;
  }
  for (const p of ctx.pools.all()) {
    if (withStatus.has(p.name)) continue;
    const backend = backendFor(p.def, ctx.deps.mounter);
    if (backend.adoptable && (await backend.stillActive(p.def).catch(() => false)) && (await resume(ctx, p))) {
      ctx.deps.log.warn(`pool '${p.name}' was found mounted without a status file: adopted as active`);
      await ctx.saveStatus(p, x.poolXml(p.def)).catch((e: unknown) => ctx.deps.log.error(`pool '${p.name}': ${(e as Error).message}`));
      active++;
    }
  }
  return { pools: ctx.pools.size, active, skipped };
}

async function reactivate(ctx: StorageContext, st: PoolStatus): Promise<boolean> {
  const x = await ctx.xml();
  let p: PoolRecord | undefined = ctx.pools.byName(st.name);
  try {
    const live = x.parseStoredPool(st.xml);
    if (p && p.uuid !== st.uuid) throw new Error(`its UUID ${st.uuid} is not the defined one, ${p.uuid}`);
    if (!p) {
      p = { name: st.name, uuid: st.uuid, xml: st.xml, def: live, persistent: false, autostart: false, state: 'inactive', space: emptySpace(), volumes: new Map() };
      ctx.pools.add(p);
    }
    p.def = live;
    if (await backendFor(live, ctx.deps.mounter).stillActive(live) && (await resume(ctx, p))) return true;
  } catch (e) {
    ctx.deps.log.error(`ignoring the status of pool '${st.name}': ${(e as Error).message}`);
  }
  // Gone while no daemon watched (a reboot clears /run, but an unmount by hand does not).
  await ctx.deps.status.delete(st.name).catch(() => undefined);
  if (p && !p.persistent) ctx.pools.remove(p);
  if (p?.persistent) p.def = x.parseStoredPool(p.xml);
  return false;
}

async function resume(ctx: StorageContext, p: PoolRecord): Promise<boolean> {
  try {
    await refreshRecord(ctx, p);
    p.state = 'running';
    return true;
  } catch (e) {
    ctx.deps.log.error(`pool '${p.name}': cannot list its volumes: ${(e as Error).message}`);
    return false;
  }
}

/** Starts every inactive pool marked autostart; failures are logged, not thrown. */
export async function autostartPools(ctx: StorageContext): Promise<number> {
  let n = 0;
  for (const p of ctx.pools.all().filter((r) => r.autostart && r.state === 'inactive')) {
    try {
      await startPool(ctx, p.name, { wait: 60_000 });
      n++;
    } catch (e) {
      ctx.deps.log.error(`cannot autostart pool '${p.name}': ${(e as Error).message}`);
    }
  }
  return n;
}
