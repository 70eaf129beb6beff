/**
 * Pool and volume queries: they never wait for a job. The `default` dir pool
 * (the instance's images directory) is made on first use: the first time a
 * request names it and no pool of that name exists.
 */
import { VirtkitError } from '../../core/errors.js';
import { buildPool, definePool, setPoolAutostart, startPool } from './pool-ops.js';
import type { StorageContext } from './context.js';
import type { PoolInfo, PoolRecord, VolumeInfo, VolumeRecord } from './records.js';
import { volumeView } from './records.js';
import { fileSizes } from '../../host/storage/space.js';

export interface PoolFilter {
  readonly active?: boolean;
  readonly persistent?: boolean;
  readonly autostart?: boolean;
  readonly types?: readonly string[];
}

export const DEFAULT_POOL = 'default';

/** Defines, builds, starts and autostarts `default` (once; concurrent first uses share it). */
let making: WeakMap<StorageContext, Promise<void>> = new WeakMap();
export async function ensureDefaultPool(ctx: StorageContext): Promise<void> {
  if (ctx.pools.byName(DEFAULT_POOL)) return;
  let p = making.get(ctx);
  if (!p) {
    p = (async () => {
      const xml = `<pool type='dir'>\n  <name>${DEFAULT_POOL}</name>\n  <target>\n    <path>${escapeXml(ctx.deps.imagesDir)}</path>\n  </target>\n</pool>\n`;
      await definePool(ctx, xml, { wait: 30_000 });
      await buildPool(ctx, DEFAULT_POOL, { wait: 30_000 });
      await startPool(ctx, DEFAULT_POOL, { wait: 30_000 });
      await setPoolAutostart(ctx, DEFAULT_POOL, true, { wait: 30_000 });
    })().finally(() => making.delete(ctx));
    making.set(ctx, p);
  }
  await p;
}

/** For tests that build several contexts in one process. */
export function forgetDefaultPools(): void {
  making = new WeakMap();
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&apos;');
}

/** The pool `ref` names (a name or UUID); `default` is made on first use. */
export async function lookupPool(ctx: StorageContext, ref: string): Promise<PoolRecord> {
  if (ref === DEFAULT_POOL && !ctx.pools.find(ref)) await ensureDefaultPool(ctx);
  return ctx.pools.resolve(ref);
}

export function listPools(ctx: StorageContext, f: PoolFilter): PoolInfo[] {
  return ctx.pools.all()
    .filter((p) => f.active === undefined || (p.state !== 'inactive') === f.active)
    .filter((p) => f.persistent === undefined || p.persistent === f.persistent)
    .filter((p) => f.autostart === undefined || p.autostart === f.autostart)
    .filter((p) => f.types === undefined || f.types.includes(p.def.type))
    .map((p) => ctx.view(p))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function getPool(ctx: StorageContext, ref: string): Promise<PoolInfo> {
  return ctx.view(await lookupPool(ctx, ref));
}

/** The running definition while active, else (or with `inactive`) the persistent one. */
export async function poolXml(ctx: StorageContext, ref: string, inactive: boolean): Promise<string> {
  const p = await lookupPool(ctx, ref);
  const x = await ctx.xml();
  if (inactive || p.state === 'inactive') return p.xml;
  // libvirt fills in the sizes of an active pool.
  const s = p.space;
  return x.poolXml({ ...p.def, capacity: { value: s.capacity }, allocation: { value: s.allocation }, available: { value: s.available } });
}

export function requireRunning(p: PoolRecord): void {
  if (p.state === 'inactive') {
    throw new VirtkitError('OPERATION_INVALID', `storage pool '${p.name}' is not active; start it first (pool-start)`, { details: { pool: p.name } });
  }
}

export function volumeIn(p: PoolRecord, name: string): VolumeRecord {
  requireRunning(p);
  const v = p.volumes.get(name);
  if (!v) {
    throw new VirtkitError('VOLUME_NOT_FOUND', `storage volume '${name}' not found in pool '${p.name}'`, {
      details: { pool: p.name, volume: name },
    });
  }
  return v;
}

export async function listVolumes(ctx: StorageContext, ref: string): Promise<VolumeInfo[]> {
  const p = await lookupPool(ctx, ref);
  requireRunning(p);
  return [...p.volumes.values()].map((v) => volumeView(p.name, v)).sort((a, b) => a.name.localeCompare(b.name));
}

/** One volume, its allocation read again (it changes as a guest writes). */
export async function getVolume(ctx: StorageContext, ref: string, name: string): Promise<VolumeInfo> {
  const p = await lookupPool(ctx, ref);
  const v = volumeIn(p, name);
  // An rbd image's path is POOL/IMAGE in the cluster, not a file here: its sizes come with a refresh.
  const s = v.type === 'network' ? undefined : await fileSizes(v.path).catch(() => undefined);
  if (s) v.allocation = s.allocation;
  return volumeView(p.name, v);
}

/** A volume by key or path, in any active pool (vol-key, vol-name, vol-pool, vol-path given a path). */
export function findVolume(ctx: StorageContext, keyOrPath: string): VolumeInfo {
  for (const p of ctx.pools.all()) {
    for (const v of p.volumes.values()) if (v.key === keyOrPath || v.path === keyOrPath) return volumeView(p.name, v);
  }
  throw new VirtkitError('VOLUME_NOT_FOUND', `no storage volume with key or path '${keyOrPath}' in any active pool`, {
    details: { volume: keyOrPath },
  });
}
