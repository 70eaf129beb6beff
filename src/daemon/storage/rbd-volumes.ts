/**
 * The volume side of an rbd pool: its volumes are the images of the Ceph pool its
 * <source><name> names, reached through its <source><host> monitors as its <auth> user
 * (src/host/storage/rbd.ts). As libvirt's storage_backend_rbd: a volume is type 'network',
 * format raw, its path and key POOL/IMAGE, its capacity the image's size and its allocation
 * what its objects use; the pool's sizes are the cluster's. Listing the images is also how a
 * pool-start proves the cluster is reachable with those credentials.
 */
import { VirtkitError } from '../../core/errors.js';
import { RbdClient, type RbdAccess } from '../../host/storage/rbd.js';
import type { PoolSpace } from '../../host/storage/space.js';
import { secretValueFor } from '../secrets/ops.js';
import type { StorageContext } from './context.js';
import { checkName } from './names.js';
import type { PoolDef, VolumeDef } from './pool-xml.js';
import type { PoolRecord, VolumeRecord } from './records.js';

export const isRbdPool = (def: PoolDef): boolean => def.type === 'rbd';

/** The Ceph pool an rbd pool names (validated: always there). */
export function cephPool(def: PoolDef): string {
  const name = def.source?.name;
  if (name === undefined) throw new VirtkitError('XML_MISSING', `rbd pool '${def.name}' has no <source><name>`, { details: { pool: def.name } });
  return name;
}

/** The monitors, user and key of an rbd pool: the key is the value of the 'ceph' secret its <auth> names. */
export function rbdAccess(ctx: StorageContext, def: PoolDef): RbdAccess {
  const monitors = (def.source?.host ?? []).map((h) => ({ name: h.name, port: h.port }));
  const auth = def.source?.auth;
  if (auth === undefined) return { monitors };
  if (!ctx.secrets) throw new VirtkitError('INTERNAL_ERROR', 'the storage engine has no secrets to take the cephx key from');
  const key = secretValueFor(ctx.secrets, auth.secret, 'ceph', `/pool/source/auth/secret (pool ${def.name})`);
  return { monitors, user: auth.username, key };
}

export const rbdClient = (ctx: StorageContext, def: PoolDef): RbdClient => new RbdClient(rbdAccess(ctx, def));

export function rbdRecord(pool: string, img: { name: string; capacity: number; allocation: number }): VolumeRecord {
  const path = `${pool}/${img.name}`;
  return { name: img.name, key: path, path, type: 'network', format: 'raw', capacity: img.capacity, allocation: img.allocation, backing: undefined };
}

/** The pool's images as volumes and the cluster's space (pool-start, pool-refresh). */
export async function scanRbdPool(ctx: StorageContext, def: PoolDef): Promise<{ volumes: Map<string, VolumeRecord>; space: PoolSpace }> {
  const c = rbdClient(ctx, def);
  const pool = cephPool(def);
  const images = await c.images(pool);
  const space = await c.space();
  return { volumes: new Map(images.map((i) => [i.name, rbdRecord(pool, i)])), space };
}

function noSuchImage(p: PoolRecord, name: string): VirtkitError {
  return new VirtkitError('STORAGE_FAILED', `image '${name}' of rbd pool '${p.name}' is gone from the cluster`, { details: { pool: p.name, volume: name } });
}

export function requireFreeName(p: PoolRecord, name: string): void {
  checkName('volume', name);
  if (p.volumes.has(name)) {
    throw new VirtkitError('VOLUME_EXISTS', `storage volume '${name}' already exists in pool '${p.name}'`, { details: { pool: p.name, volume: name } });
  }
}

/** The image `name`, just made in the cluster, as a volume of `p` (its sizes read back; the pool's space with them). */
export async function publish(c: RbdClient, p: PoolRecord, name: string): Promise<VolumeRecord> {
  const pool = cephPool(p.def);
  const img = await c.image(pool, name);
  if (!img) throw noSuchImage(p, name);
  const rec = rbdRecord(pool, img);
  p.volumes.set(rec.name, rec);
  p.space = await c.space();
  return rec;
}

/** vol-create / vol-create-as in an rbd pool: a raw image of the volume's capacity (thin: allocation is not honoured). */
export async function createRbdVolume(ctx: StorageContext, p: PoolRecord, vol: VolumeDef): Promise<VolumeRecord> {
  requireFreeName(p, vol.name);
  const c = rbdClient(ctx, p.def);
  await c.create(cephPool(p.def), vol.name, vol.capacity?.value ?? 0);
  return publish(c, p, vol.name);
}

/** The prefix of the snapshots virtkit makes to clone from (rbd-copy.ts; libvirt's are `libvirt-N`). */
export const CLONE_SNAP_PREFIX = 'virtkit-';

/** Unprotects and removes a virtkit-* snapshot once no clone uses it. */
export async function dropCloneSnapshot(c: RbdClient, pool: string, image: string, snap: string): Promise<boolean> {
  if ((await c.children(pool, image, snap)).length > 0) return false;
  await c.snap('unprotect', pool, image, snap).catch(() => undefined);
  await c.snap('rm', pool, image, snap);
  return true;
}

/**
 * vol-delete of an rbd volume. The snapshots virtkit made to clone from (rbd-copy.ts) go with
 * the image once no clone uses them, and a clone's removal drops its parent's snapshot when it
 * was the last clone; an image with clones left is refused (delete the clones first). Snapshots
 * of the user's own make `rbd rm` refuse, as they make libvirt's (without --delete-snapshots).
 */
export async function deleteRbdVolume(ctx: StorageContext, p: PoolRecord, v: VolumeRecord): Promise<void> {
  const c = rbdClient(ctx, p.def);
  const pool = cephPool(p.def);
  const parent = (await c.info(pool, v.name)).parent;
  for (const s of (await c.snapshots(pool, v.name)).filter((x) => x.name.startsWith(CLONE_SNAP_PREFIX))) {
    const clones = await c.children(pool, v.name, s.name);
    if (clones.length > 0) {
      throw new VirtkitError('OPERATION_INVALID',
        `cannot delete volume '${v.name}' of pool '${p.name}': linked clones use it (${clones.join(', ')}); delete them first`,
        { details: { pool: p.name, volume: v.name, clones } });
    }
    await dropCloneSnapshot(c, pool, v.name, s.name);
  }
  await c.remove(pool, v.name);
  p.volumes.delete(v.name);
  // Best effort: a leftover snapshot of the parent is dropped again when the parent is deleted.
  if (parent?.snapshot.startsWith(CLONE_SNAP_PREFIX) === true) await dropCloneSnapshot(c, parent.pool, parent.image, parent.snapshot).catch(() => false);
  p.space = await c.space();
}

export async function resizeRbdVolume(ctx: StorageContext, p: PoolRecord, v: VolumeRecord, size: number): Promise<VolumeRecord> {
  const pool = cephPool(p.def);
  const c = rbdClient(ctx, p.def);
  await c.resize(pool, v.name, size, size < v.capacity);
  const img = await c.image(pool, v.name);
  if (!img) throw noSuchImage(p, v.name);
  const rec = rbdRecord(pool, img);
  p.volumes.set(rec.name, rec);
  return rec;
}
