/**
 * Step 2: what libvirt fills in before a pool or volume is used. The inputs are
 * not modified. Randomness (a pool's UUID) comes only from ctx.random.
 *
 * Pool: a UUID, the target path cleaned (///a//b/ -> /a/b), and the source
 * format 'auto' for fs and netfs pools.
 * Volume (given its pool): the type (file, or network in an rbd pool), the
 * format (raw in dir/fs/netfs pools), the path and key (the pool's target path
 * + name), allocation = capacity when absent, and compat 1.1 when qcow2
 * features are asked for without a compat level (as libvirt's parser does).
 */
import { generateUuid } from '../domain/defaults/identity.js';
import type { PoolDef } from './pool-schema.js';
import { poolDefaultFormat, poolVolumeType, sanitizePath, volumePathIn } from './volume-rules.js';
import type { VolumeDef } from './volume-schema.js';

export interface StoragePrepareContext {
  /** n random bytes: crypto.randomBytes in production, a fixed stream in tests. */
  random(n: number): Uint8Array;
}

export function preparePool(input: PoolDef, ctx: StoragePrepareContext): PoolDef {
  const def = structuredClone(input);
  def.uuid ??= generateUuid(ctx);
  if (def.target?.path !== undefined) def.target.path = sanitizePath(def.target.path);
  if ((def.type === 'fs' || def.type === 'netfs') && def.source?.format === undefined) {
    def.source = { ...def.source, format: { type: 'auto' } };
  }
  return def;
}

export function prepareVolume(input: VolumeDef, pool: PoolDef): VolumeDef {
  const vol = structuredClone(input);
  vol.type ??= poolVolumeType(pool.type);
  const target = (vol.target ??= {});
  const fmt = poolDefaultFormat(pool.type);
  if (target.format === undefined && fmt !== undefined) target.format = { type: fmt };
  const path = volumePathIn(pool, vol.name);
  if (target.path === undefined && path !== undefined) target.path = path;
  if (vol.key === undefined && target.path !== undefined) vol.key = target.path;
  if (vol.allocation === undefined && vol.capacity !== undefined) vol.allocation = { value: vol.capacity.value };
  if (target.features !== undefined && target.compat === undefined) target.compat = '1.1';
  return vol;
}
