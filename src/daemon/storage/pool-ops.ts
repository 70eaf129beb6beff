/**
 * Actions on pools: define, undefine, create (transient), build, start,
 * destroy, delete, autostart, refresh. Each runs as the pool's one job; each
 * checks what it needs before it acts, persists through the atomic stores
 * before it answers, and emits its event.
 */
import { VirtkitError } from '../../core/errors.js';
import { backendFor } from './backends.js';
import type { StorageContext } from './context.js';
import { checkName } from './names.js';
import type { PoolDef } from './pool-xml.js';
import type { PoolInfo, PoolRecord } from './records.js';
import { emptySpace, scanPool } from './volumes.js';
// A cycle (queries makes `default` with these actions), safe: each side calls the other only at run time.
import { lookupPool } from './queries.js';

export interface JobOpts {
  readonly wait?: number | undefined;
}

async function prepare(ctx: StorageContext, text: string): Promise<{ def: PoolDef; xml: string }> {
  const x = await ctx.xml();
  const first = x.preparePoolXml(text);
  checkName('pool', first.def.name);
  const existing = ctx.pools.byName(first.def.name);
  // A definition without a UUID keeps the one its name already has.
  return existing && !/<uuid>/.test(text) ? x.preparePoolXml(text, existing.uuid) : first;
}

/** libvirt refuses two pools on one target directory (or one source device). */
function checkConflicts(ctx: StorageContext, def: PoolDef): void {
  for (const other of ctx.pools.all()) {
    if (other.name === def.name) continue;
    const t = def.target?.path;
    if (t !== undefined && other.def.target?.path === t) {
      throw new VirtkitError('POOL_EXISTS', `pool '${other.name}' already uses target directory ${t}`, {
        details: { pool: other.name, path: t },
      });
    }
    const dev = def.source?.device?.[0]?.path;
    if (dev !== undefined && other.def.source?.device?.some((d) => d.path === dev)) {
      throw new VirtkitError('POOL_EXISTS', `pool '${other.name}' already uses source ${dev}`, { details: { pool: other.name, source: dev } });
    }
  }
}

function newRecord(def: PoolDef, xml: string, persistent: boolean): PoolRecord {
  return {
    name: def.name, uuid: def.uuid ?? '', xml, def, persistent, autostart: false, state: 'inactive',
    space: emptySpace(), volumes: new Map(),
  };
}

export async function definePool(ctx: StorageContext, xmlText: string, o: JobOpts): Promise<{ pool: PoolInfo; created: boolean }> {
  const { def, xml } = await prepare(ctx, xmlText);
  return ctx.job(def.name, 'define', o.wait, async () => {
    const existing = ctx.pools.byName(def.name);
    if (existing && existing.uuid !== def.uuid) throw ctx.pools.exists(existing);
    checkConflicts(ctx, def);
    const release = ctx.pools.reserveUuid(def.uuid ?? '', def.name);
    try {
      await ctx.deps.config.save(def.name, xml);
    } finally {
      release();
    }
    if (existing) {
      existing.xml = xml;
      // An active pool keeps running as it was started; the new definition applies at its next start.
      if (existing.state === 'inactive') existing.def = def;
      existing.persistent = true;
      ctx.events.emit(existing, 'defined');
      return { pool: ctx.view(existing), created: false };
    }
    const rec = newRecord(def, xml, true);
    ctx.pools.add(rec);
    ctx.events.emit(rec, 'defined');
    return { pool: ctx.view(rec), created: true };
  });
}

function requireInactive(p: PoolRecord, what: string): void {
  if (p.state !== 'inactive') {
    throw new VirtkitError('OPERATION_INVALID', `cannot ${what} pool '${p.name}': it is active; destroy (stop) it first`, { details: { pool: p.name } });
  }
}

function requireActive(p: PoolRecord, what: string): void {
  if (p.state === 'inactive') {
    throw new VirtkitError('OPERATION_INVALID', `cannot ${what} pool '${p.name}': it is not active; start it first`, { details: { pool: p.name } });
  }
}

/**
 * Runs `fn` as the job of the pool `ref` names, on its record as it is once the lock is held.
 * `default` is made on first use (queries.ts).
 */
export async function onPool<T>(ctx: StorageContext, ref: string, job: string, o: JobOpts, fn: (p: PoolRecord) => Promise<T>): Promise<T> {
  const name = (await lookupPool(ctx, ref)).name;
  return ctx.job(name, job, o.wait, () => fn(ctx.pools.named(name)));
}

export function undefinePool(ctx: StorageContext, ref: string, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'undefine', o, async (p) => {
    requireInactive(p, 'undefine');
    await ctx.deps.config.delete(p.name);
    p.persistent = false;
    p.autostart = false;
    ctx.pools.remove(p);
    ctx.events.emit(p, 'undefined');
    return ctx.view(p);
  });
}

export function buildPool(ctx: StorageContext, ref: string, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'build', o, async (p) => {
    requireInactive(p, 'build');
    await backendFor(p.def, ctx.deps.mounter).build(p.def);
    return ctx.view(p);
  });
}

/** Starts `p` (its lock held): mount or check, list its volumes, record it as active. */
async function activate(ctx: StorageContext, p: PoolRecord, build: boolean): Promise<void> {
  const backend = backendFor(p.def, ctx.deps.mounter);
  if (build) await backend.build(p.def);
  await backend.start(p.def);
  try {
    await refreshRecord(ctx, p);
    await ctx.saveStatus(p, (await ctx.xml()).poolXml(p.def));
  } catch (e) {
    // Not recorded as active: undo the mount so that nothing is left that no daemon knows about.
    await backend.stop(p.def).catch(() => undefined);
    p.volumes.clear();
    p.space = emptySpace();
    throw e;
  }
  p.state = 'running';
}

export function startPool(ctx: StorageContext, ref: string, o: JobOpts & { build?: boolean }): Promise<PoolInfo> {
  return onPool(ctx, ref, 'start', o, async (p) => {
    requireInactive(p, 'start');
    await activate(ctx, p, o.build === true);
    ctx.events.emit(p, 'started');
    return ctx.view(p);
  });
}

export async function createPool(ctx: StorageContext, xmlText: string, o: JobOpts & { build?: boolean }): Promise<PoolInfo> {
  const { def, xml } = await prepare(ctx, xmlText);
  return ctx.job(def.name, 'create', o.wait, async () => {
    const existing = ctx.pools.byName(def.name) ?? ctx.pools.byUuid(def.uuid ?? '');
    if (existing) throw ctx.pools.exists(existing);
    checkConflicts(ctx, def);
    const rec = newRecord(def, xml, false);
    const release = ctx.pools.reserveUuid(rec.uuid, rec.name);
    try {
      await activate(ctx, rec, o.build === true);
    } finally {
      release();
    }
    ctx.pools.add(rec);
    ctx.events.emit(rec, 'created');
    return ctx.view(rec);
  });
}

export function destroyPool(ctx: StorageContext, ref: string, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'destroy', o, async (p) => {
    requireActive(p, 'destroy');
    await backendFor(p.def, ctx.deps.mounter).stop(p.def);
    await ctx.deps.status.delete(p.name);
    p.state = 'inactive';
    p.volumes.clear();
    p.space = emptySpace();
    // A redefinition made while it ran applies now.
    if (p.persistent) p.def = (await ctx.xml()).parseStoredPool(p.xml);
    else ctx.pools.remove(p);
    ctx.events.emit(p, 'stopped');
    return ctx.view(p);
  });
}

export function deletePool(ctx: StorageContext, ref: string, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'delete', o, async (p) => {
    requireInactive(p, 'delete');
    await backendFor(p.def, ctx.deps.mounter).remove(p.def);
    ctx.events.emit(p, 'deleted');
    return ctx.view(p);
  });
}

export function setPoolAutostart(ctx: StorageContext, ref: string, enabled: boolean, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'autostart', o, async (p) => {
    if (!p.persistent) {
      throw new VirtkitError('OPERATION_INVALID', `cannot set autostart for transient pool '${p.name}'`, { details: { pool: p.name } });
    }
    await ctx.deps.config.setAutostart(p.name, enabled);
    p.autostart = enabled;
    return ctx.view(p);
  });
}

/** Lists the pool's volumes again and reads its free space. */
export async function refreshRecord(ctx: StorageContext, p: PoolRecord): Promise<void> {
  const scanned = await scanPool(ctx, p.def);
  p.volumes = scanned.volumes;
  p.space = scanned.space;
}

export function refreshPool(ctx: StorageContext, ref: string, o: JobOpts): Promise<PoolInfo> {
  return onPool(ctx, ref, 'refresh', o, async (p) => {
    requireActive(p, 'refresh');
    await refreshRecord(ctx, p);
    ctx.events.emit(p, 'refresh');
    return ctx.view(p);
  });
}
