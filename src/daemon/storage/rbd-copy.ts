/**
 * Volumes of an rbd pool made from others, and wiped, as libvirt's storage_backend_rbd does them:
 * - vol-clone --linked: a copy-on-write clone (`rbd clone`) of a protected snapshot of the source.
 *   As libvirt (virStorageBackendRBDCloneImage), a snapshot of the source that has no changes
 *   since it was taken is used again rather than a new one made for every clone; virtkit only
 *   reuses (and protects) snapshots it made, named `virtkit-*`, never one of the user's. The
 *   source needs the `layering` feature (a format 2 image has it by default).
 * - vol-clone (no --linked) and vol-create-from of a volume of the same pool: a full copy
 *   (`rbd cp`, allocated extents only), independent of its source. libvirt clones here too;
 *   virtkit keeps vol-clone's meaning of every other pool type (a full copy; --linked for a
 *   dependent one), and a copy never blocks deleting its source.
 * - vol-create-from of an image file of a file pool, or of a volume of another rbd pool: an image
 *   of the new volume's capacity (at least the source's virtual size), then `qemu-img convert -n`
 *   into it through QEMU's rbd driver (core/storage/rbd-qemu-img.ts), each cluster's key in a
 *   private keyring its ceph.conf names.
 * - vol-create-from of an rbd volume into a file pool: the new raw or qcow2 file made as
 *   vol-create makes it (the qemu-img plan, at least the image's size), then the image converted
 *   into it (`qemu-img convert -n --image-opts driver=rbd,...`).
 * - vol-wipe 'zero': zeros written over the whole image (qemu-img from a zero-reading source).
 * Whatever fails after the new image exists removes it again (and a snapshot made for it).
 */
import { randomBytes } from 'node:crypto';
import { VirtkitError } from '../../core/errors.js';
import { planVolumeCreate } from '../../core/storage/qemu-img-plan.js';
import { rbdCopyArgs, rbdExportArgs, rbdImportArgs, rbdWipeArgs } from '../../core/storage/rbd-qemu-img.js';
import { runQemuImgRetrying } from '../../host/storage/qemu-img.js';
import type { RbdClient } from '../../host/storage/rbd.js';
import type { StorageContext } from './context.js';
import type { PoolDef, VolumeDef } from './pool-xml.js';
import { CLONE_SNAP_PREFIX, cephPool, dropCloneSnapshot, publish, rbdClient, requireFreeName } from './rbd-volumes.js';
import { volumeView, type PoolRecord, type VolumeInfo, type VolumeRecord } from './records.js';

export interface RbdCopyOpts {
  readonly onProgress?: ((percent: number) => void) | undefined;
}

/** The new image as a volume of `p`, as the API shows it. */
const published = async (c: RbdClient, p: PoolRecord, name: string): Promise<VolumeInfo> => volumeView(p.name, await publish(c, p, name));

/** Runs `fill` once `name` exists; removes the image again when it fails. */
async function filling(c: RbdClient, pool: string, name: string, fill: () => Promise<void>): Promise<void> {
  try {
    await fill();
  } catch (e) {
    await c.remove(pool, name).catch(() => undefined);
    throw e;
  }
}

/** The snapshot of `src` to clone from: an unchanged virtkit-* one, else a new one; protected either way. */
async function cloneSnapshot(c: RbdClient, pool: string, src: string): Promise<{ snap: string; made: boolean }> {
  const ours = (await c.snapshots(pool, src)).filter((s) => s.name.startsWith(CLONE_SNAP_PREFIX)).reverse();
  for (const s of ours) {
    if (await c.changedSince(pool, src, s.name)) continue;
    if (!s.protected) await c.snap('protect', pool, src, s.name);
    return { snap: s.name, made: false };
  }
  const snap = `${CLONE_SNAP_PREFIX}${randomBytes(4).toString('hex')}`;
  await c.snap('create', pool, src, snap);
  try {
    await c.snap('protect', pool, src, snap);
  } catch (e) {
    await c.snap('rm', pool, src, snap).catch(() => undefined);
    throw e;
  }
  return { snap, made: true };
}

/** vol-clone in an rbd pool: `rbd clone` of a protected snapshot (linked), else `rbd cp`. */
export async function cloneRbdVolume(ctx: StorageContext, p: PoolRecord, src: VolumeRecord, newName: string, o: { linked?: boolean | undefined }): Promise<VolumeInfo> {
  requireFreeName(p, newName);
  const c = rbdClient(ctx, p.def);
  const pool = cephPool(p.def);
  if (o.linked !== true) {
    await c.copy(pool, src.name, newName);
    return published(c, p, newName);
  }
  const info = await c.info(pool, src.name);
  if (!info.features.includes('layering')) {
    throw new VirtkitError('UNSUPPORTED_OPERATION',
      `cannot make a linked clone of volume '${src.name}' of pool '${p.name}': its rbd image lacks the 'layering' feature (it has: ${info.features.join(', ') || 'none'}); ` +
        'clone it without --linked for a full copy', { details: { pool: p.name, volume: src.name, features: info.features } });
  }
  const { snap, made } = await cloneSnapshot(c, pool, src.name);
  try {
    await c.clone(pool, src.name, snap, newName);
  } catch (e) {
    if (made) await dropCloneSnapshot(c, pool, src.name, snap).catch(() => undefined);
    throw e;
  }
  return published(c, p, newName);
}

/** vol-create-from into an rbd pool: a copy of a volume of an rbd pool, or of an image file of a file pool. */
export async function createRbdVolumeFrom(ctx: StorageContext, p: PoolRecord, vol: VolumeDef, ip: PoolRecord, src: VolumeRecord, o: RbdCopyOpts): Promise<VolumeInfo> {
  requireFreeName(p, vol.name);
  const c = rbdClient(ctx, p.def);
  const pool = cephPool(p.def);
  const capacity = Math.max(vol.capacity?.value ?? 0, src.capacity);
  if (ip.def.type === 'rbd' && ip.name !== p.name) {
    // Another rbd pool (maybe another cluster, another user): qemu-img reads one, writes the other.
    const sc = rbdClient(ctx, ip.def);
    const from = { pool: cephPool(ip.def), image: src.name, user: sc.user };
    await c.create(pool, vol.name, capacity);
    await filling(c, pool, vol.name, () => sc.withConf((sconf) => c.withConf((conf) => runQemuImgRetrying(
      rbdCopyArgs({ ...from, conf: sconf }, { pool, image: vol.name, conf, user: c.user }, { progress: o.onProgress !== undefined }),
      o.onProgress ? { onProgress: o.onProgress } : {}))).then(() => undefined));
    return published(c, p, vol.name);
  }
  if (ip.def.type === 'rbd') {
    await c.copy(pool, src.name, vol.name);
    // The copy has the input's size; a larger <capacity> grows it, as libvirt does.
    if (capacity > src.capacity) await filling(c, pool, vol.name, () => c.resize(pool, vol.name, capacity, false));
    return published(c, p, vol.name);
  }
  if (src.type !== 'file') {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot copy volume '${src.name}': it is a ${src.type}, not an image file`, { details: { volume: src.name } });
  }
  if (src.encryption !== undefined) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot copy volume '${src.name}' into rbd pool '${p.name}': it is encrypted (${src.encryption})`,
      { details: { volume: src.name, encryption: src.encryption } });
  }
  await c.create(pool, vol.name, capacity);
  await filling(c, pool, vol.name, () => c.withConf((conf) => runQemuImgRetrying(
    rbdImportArgs({ path: src.path, format: src.format }, { pool, image: vol.name, conf, user: c.user }, { progress: o.onProgress !== undefined }),
    o.onProgress ? { onProgress: o.onProgress } : {})).then(() => undefined));
  return published(c, p, vol.name);
}

/** vol-wipe 'zero' of an rbd volume: the image keeps its size, snapshots and clones, and reads as zeros. */
export async function wipeRbdVolume(ctx: StorageContext, p: PoolRecord, v: VolumeRecord): Promise<VolumeInfo> {
  const c = rbdClient(ctx, p.def);
  const pool = cephPool(p.def);
  await c.withConf((conf) => runQemuImgRetrying(rbdWipeArgs({ pool, image: v.name, conf, user: c.user }, v.capacity)));
  return published(c, p, v.name);
}

/**
 * Fills `temp`, the new volume `vol` of file pool `pool`, with the data of rbd volume `src` of
 * `ip` (volume-copy.ts makes it atomic): created by the volume's own plan, then converted into.
 */
export async function copyRbdIntoFile(ctx: StorageContext, ip: PoolRecord, src: VolumeRecord, pool: PoolDef, vol: VolumeDef, temp: string,
  o: RbdCopyOpts & { preallocMetadata?: boolean | undefined }): Promise<void> {
  const format = vol.target?.format?.type ?? 'raw';
  if ((format !== 'raw' && format !== 'qcow2') || vol.target?.encryption !== undefined) {
    throw new VirtkitError('UNSUPPORTED_OPERATION',
      `cannot copy rbd volume '${src.name}' into '${vol.name}': virtkit copies an rbd image into a plain raw or qcow2 volume, not ${vol.target?.encryption ? 'an encrypted one' : `a ${format} one`}`,
      { details: { volume: src.name, format } });
  }
  const capacity = Math.max(vol.capacity?.value ?? 0, src.capacity);
  const plan = planVolumeCreate({
    pool, vol: { ...vol, capacity: { ...vol.capacity, value: capacity }, target: { ...vol.target, path: temp } },
    flags: { preallocMetadata: o.preallocMetadata === true },
  });
  for (const step of plan.steps) await runQemuImgRetrying(step.argv.slice(1));
  const sc = rbdClient(ctx, ip.def);
  await sc.withConf((conf) => runQemuImgRetrying(
    rbdExportArgs({ pool: cephPool(ip.def), image: src.name, conf, user: sc.user }, { path: temp, format }, { progress: o.onProgress !== undefined }),
    o.onProgress ? { onProgress: o.onProgress } : {}));
}
