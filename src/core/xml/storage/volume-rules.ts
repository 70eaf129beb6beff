/** What a pool decides for its volumes: their type and where they live (libvirt's createVol rules). */
import type { PoolDef, PoolType } from './pool-schema.js';

/** dir/fs/netfs pools hold files; an rbd pool holds network (RBD) images. */
export function poolVolumeType(type: PoolType): 'file' | 'network' {
  return type === 'rbd' ? 'network' : 'file';
}

/** The default volume format of a pool type: raw for file-backed pools (libvirt's), none for rbd. */
export function poolDefaultFormat(type: PoolType): 'raw' | undefined {
  return type === 'rbd' ? undefined : 'raw';
}

/** Collapses repeated slashes and drops a trailing one (libvirt's virFileSanitizePath). */
export function sanitizePath(p: string): string {
  const s = p.replace(/\/{2,}/g, '/');
  return s.length > 1 && s.endsWith('/') ? s.slice(0, -1) : s;
}

/** A volume's path: TARGET/NAME in a file-backed pool, CEPHPOOL/NAME in an rbd pool. */
export function volumePathIn(pool: PoolDef, name: string): string | undefined {
  if (pool.type === 'rbd') return pool.source?.name === undefined ? undefined : `${pool.source.name}/${name}`;
  const dir = pool.target?.path;
  if (dir === undefined) return undefined;
  const clean = sanitizePath(dir);
  return clean === '/' ? `/${name}` : `${clean}/${name}`;
}
