/**
 * Changing an existing volume, as its pool's one job: vol-resize (qemu-img
 * resize with the volume's explicit format; shrinking only when asked, as
 * virsh's --shrink; crash-safe steps in volume-resize.ts) and vol-wipe (the volume's data made to read as zeros: a
 * fresh image of the same format and capacity is made under a temp name and
 * renamed over the old file in one step, so a kill -9 leaves either the old
 * volume or the wiped one; an rbd image is zeroed in place, rbd-copy.ts).
 */
import { VirtkitError } from '../../core/errors.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import { createRawFile } from '../../host/storage/volume-files.js';
import type { StorageContext } from './context.js';
import { onPool, type JobOpts } from './pool-ops.js';
import { requireRunning, volumeIn } from './queries.js';
import { wipeRbdVolume } from './rbd-copy.js';
import { volumeView, type VolumeInfo, type VolumeRecord } from './records.js';
import { makeVolume, poolDir, requireSpace } from './volume-make.js';
import { readVolume } from './volumes.js';
import { isRbdPool, resizeRbdVolume } from './rbd-volumes.js';
import { resizeFile } from './volume-resize.js';

export interface ResizeOpts extends JobOpts {
  /** Allocate the added space rather than leave it sparse (--allocate). */
  readonly allocate?: boolean | undefined;
  /** `capacity` is added to the current capacity (--delta). */
  readonly delta?: boolean | undefined;
  /** Allow a capacity below the current one (--shrink). */
  readonly shrink?: boolean | undefined;
}

const RESIZABLE = new Set(['raw', 'qcow2']);

function resizable(v: VolumeRecord): VolumeRecord {
  if (v.type !== 'file' || !RESIZABLE.has(v.format)) {
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot resize volume '${v.name}': virtkit resizes raw and qcow2 image files, not a ${v.type === 'file' ? v.format : v.type}`, {
      details: { volume: v.name, format: v.format },
    });
  }
  if (v.encryption !== undefined) {
    // Its size is the payload's: qemu-img would need the key (--object secret, --image-opts) to resize it as such.
    throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot change volume '${v.name}': it is encrypted (${v.encryption}), and virtkit resizes and wipes plain raw and qcow2 volumes only`, {
      details: { volume: v.name, format: v.format, encryption: v.encryption },
    });
  }
  return v;
}

export function resizeVolume(ctx: StorageContext, poolRef: string, name: string, capacity: number, o: ResizeOpts): Promise<VolumeInfo> {
  return onPool(ctx, poolRef, 'resize volume in', o, async (p) => {
    const rbd = isRbdPool(p.def);
    const dir = rbd ? '' : poolDir(p, 'resize a volume');
    const v = rbd ? volumeIn(p, name) : resizable(volumeIn(p, name));
    const size = o.delta === true ? v.capacity + capacity : capacity;
    if (!Number.isSafeInteger(size)) throw new VirtkitError('INVALID_ARGUMENT', `capacity ${size} is too large`, { details: { capacity: size } });
    if (size < v.capacity && o.shrink !== true) {
      throw new VirtkitError('VOLUME_SHRINK_REFUSED',
        `cannot shrink volume '${name}' from ${v.capacity} to ${size} bytes: the data past the new end would be lost; pass --shrink (API: shrink=true) if that is meant`,
        { details: { pool: p.name, volume: name, capacity: v.capacity, requested: size } });
    }
    // An rbd image is thin: --allocate has nothing to preallocate there.
    if (rbd) return volumeView(p.name, await resizeRbdVolume(ctx, p, v, size));
    if (o.allocate === true && size > v.capacity) await requireSpace(p, dir, name, size - v.capacity);
    // Crash-safe steps (volume-resize.ts): a kill -9 leaves the old or the new size, never a mix.
    await resizeFile(ctx, dir, { volume: name, format: v.format as 'raw' | 'qcow2', from: v.capacity, to: size, allocate: o.allocate === true });
    const rec = await readVolume(ctx, dir, name);
    if (!rec) throw new VirtkitError('IO_ERROR', `volume ${v.path} vanished while it was resized`);
    p.volumes.set(name, rec);
    return volumeView(p.name, rec);
  });
}

/** libvirt's wipe algorithms (virStorageVolWipeAlgorithm); virtkit does `zero`. */
export const WIPE_ALGORITHMS = ['zero', 'nnsa', 'dod', 'bsi', 'gutmann', 'schneier', 'pfitzner7', 'pfitzner33', 'random', 'trim'] as const;

export function wipeVolume(ctx: StorageContext, poolRef: string, name: string, algorithm: string, o: JobOpts): Promise<VolumeInfo> {
  return onPool(ctx, poolRef, 'wipe volume in', o, async (p) => {
    const rbd = isRbdPool(p.def);
    const dir = rbd ? '' : poolDir(p, 'wipe a volume');
    if (rbd) requireRunning(p);
    const v = rbd ? volumeIn(p, name) : resizable(volumeIn(p, name));
    if (algorithm !== 'zero') {
      const known = (WIPE_ALGORITHMS as readonly string[]).includes(algorithm);
      throw new VirtkitError(known ? 'UNSUPPORTED_OPERATION' : 'INVALID_ARGUMENT',
        `${known ? `wipe algorithm '${algorithm}' is not supported` : `'${algorithm}' is not a wipe algorithm`}: virtkit wipes with 'zero' (the volume then reads as zeros)`,
        { details: { algorithm, supported: ['zero'] } });
    }
    // An rbd image is zeroed in place (rbd-copy.ts): it keeps its snapshots and clones.
    if (rbd) return wipeRbdVolume(ctx, p, v);
    return makeVolume(ctx, p, dir, name, 'wipe volume', async (temp) => {
      if (v.format === 'raw') await createRawFile(temp, v.capacity, 0, 0o600, ctx.deps.run);
      else await new QemuImg().create({ path: temp, format: 'qcow2', size: v.capacity });
    }, { replace: true });
  });
}
