/**
 * Creating and deleting volumes, as the pool's one job. A volume is made
 * under a hidden temp name and published (linked to its name) only once
 * complete: a failure, a full file system or a kill -9 never leaves a
 * half-made volume under its name. Raw volumes are made as libvirt makes them
 * (allocate, then set the length); every other format runs the qemu-img plan
 * (src/core/storage/qemu-img-plan.ts) with the temp file as its target.
 */
import { VirtkitError } from '../../core/errors.js';
import { runQemuImgRetrying } from '../../host/storage/qemu-img.js';
import { planVolumeCreate } from '../../core/storage/qemu-img-plan.js';
import { fsSpace } from '../../host/storage/space.js';
import { createRawFile, fileError, publishVolume, removeFile, tempVolumePath } from '../../host/storage/volume-files.js';
import { rmdir } from 'node:fs/promises';
import { checkBackingStore } from './chain-policy.js';
import { withKeyFile } from '../../host/key-files.js';
import { secretValueFor } from '../secrets/ops.js';
import type { StorageContext } from './context.js';
import { checkName } from './names.js';
import { onPool, type JobOpts } from './pool-ops.js';
import { requireRunning, volumeIn } from './queries.js';
import { volumeView, type VolumeInfo } from './records.js';
import { readVolume } from './volumes.js';
import { createRbdVolume, deleteRbdVolume, isRbdPool } from './rbd-volumes.js';
import { removeSecretNote, writeSecretNote } from './volume-secret-note.js';

export interface CreateVolumeOpts extends JobOpts {
  readonly preallocMetadata?: boolean;
}

/** Checks the name before anything parses or touches the disk (names with '/' or '..' never reach a path). */
function volumeNameOf(xml: string): string | undefined {
  return /<name>([^<]*)<\/name>/.exec(xml)?.[1];
}

export function createVolume(ctx: StorageContext, poolRef: string, xml: string, o: CreateVolumeOpts): Promise<VolumeInfo> {
  const early = volumeNameOf(xml);
  if (early !== undefined) checkName('volume', early);
  return onPool(ctx, poolRef, 'create volume in', o, async (p) => {
    requireRunning(p);
    const x = await ctx.xml();
    const vol = x.prepareVolumeXml(xml, p.def);
    checkName('volume', vol.name);
    // An rbd pool's volumes are images in the cluster (rbd-volumes.ts); the rest is about files.
    if (isRbdPool(p.def)) return volumeView(p.name, await createRbdVolume(ctx, p, vol));
    const path = vol.target?.path;
    const dir = p.def.target?.path;
    if (path === undefined || dir === undefined) {
      throw new VirtkitError('UNSUPPORTED_OPERATION', `cannot create volumes in ${p.def.type} pool '${p.name}'`, { details: { pool: p.name } });
    }
    if (p.volumes.has(vol.name) || (await readVolume(ctx, dir, vol.name))) {
      throw new VirtkitError('VOLUME_EXISTS', `storage volume '${vol.name}' already exists in pool '${p.name}'`, {
        details: { pool: p.name, volume: vol.name },
      });
    }
    const format = vol.target?.format?.type ?? 'raw';
    const capacity = vol.capacity?.value ?? 0;
    const allocation = format === 'raw' ? Math.min(vol.allocation?.value ?? capacity, capacity) : 0;
    const space = await fsSpace(dir);
    if (allocation > space.available) {
      throw new VirtkitError('NO_SPACE',
        `cannot create volume '${vol.name}' in pool '${p.name}': it needs ${allocation} bytes allocated and the pool has ${space.available} free; ` +
          'ask for a smaller --allocation (the volume stays sparse) or free space in the pool',
        { details: { pool: p.name, volume: vol.name, needed: allocation, available: space.available } });
    }
    // qemu-img create -b opens the backing store: it and its chain must be inside the pools.
    if (vol.backingStore) await checkBackingStore(ctx, vol.backingStore.path, vol.backingStore.format?.type);
    const enc = vol.target?.encryption;
    // The key of a LUKS volume, looked up before anything is written (an unknown secret leaves nothing).
    const key = enc?.secret === undefined ? undefined : volumeKey(ctx, enc.secret, path);
    const temp = tempVolumePath(dir, vol.name);
    try {
      if (format === 'raw' && !vol.backingStore && !enc) {
        await createRawFile(temp, capacity, allocation, vol.target?.permissions?.mode ?? 0o600, ctx.deps.run);
      } else {
        const run = async (secretFile?: string): Promise<void> => {
          const plan = planVolumeCreate({
            pool: p.def, vol: { ...vol, target: { ...vol.target, path: temp } },
            flags: { preallocMetadata: o.preallocMetadata === true },
            ...(secretFile === undefined ? {} : { secretFile }),
          });
          for (const step of plan.steps) await runQemuImgRetrying(step.argv.slice(1));
        };
        // qemu-img reads the key from a 0600 file in a private temp dir, removed whatever happens.
        await (key === undefined ? run() : withKeyFile(key, run));
      }
      // The secret is noted before the volume appears under its name: a listed encrypted volume has its note.
      // (A stale note of an earlier volume of that name, deleted behind virtkit's back, goes.)
      await (enc?.secret !== undefined ? writeSecretNote(dir, vol.name, enc.secret) : removeSecretNote(dir, vol.name));
      await publishVolume(temp, path);
    } catch (e) {
      await removeFile(temp).catch(() => undefined);
      if (enc?.secret !== undefined) await removeSecretNote(dir, vol.name).catch(() => undefined);
      const err = fileError(`cannot create volume '${vol.name}' in pool '${p.name}'`, e);
      if (err.code === 'NO_SPACE') {
        throw new VirtkitError('NO_SPACE', `cannot create volume '${vol.name}' in pool '${p.name}': the pool is full (${err.message}); nothing was left behind`, {
          details: { pool: p.name, volume: vol.name }, cause: err,
        });
      }
      throw err;
    }
    const rec = await readVolume(ctx, dir, vol.name);
    if (!rec) throw new VirtkitError('IO_ERROR', `volume ${path} vanished right after it was created`);
    p.volumes.set(rec.name, rec);
    p.space = await fsSpace(dir);
    return volumeView(p.name, rec);
  });
}

/** The value of the secret a LUKS volume names (by UUID, or by usage: the volume's path). */
function volumeKey(ctx: StorageContext, ref: { uuid?: string; usage?: string }, path: string): Uint8Array {
  if (!ctx.secrets) throw new VirtkitError('INTERNAL_ERROR', 'the storage engine has no secrets to take the LUKS key from');
  return secretValueFor(ctx.secrets, ref, 'volume', `/volume/target/encryption/secret (volume ${path})`);
}

export function deleteVolume(ctx: StorageContext, poolRef: string, name: string, o: JobOpts): Promise<VolumeInfo> {
  return onPool(ctx, poolRef, 'delete volume in', o, async (p) => {
    const v = volumeIn(p, name);
    if (isRbdPool(p.def)) {
      await deleteRbdVolume(ctx, p, v);
      return volumeView(p.name, v);
    }
    try {
      if (v.type === 'dir') await rmdir(v.path);
      else await removeFile(v.path);
    } catch (e) {
      throw fileError(`cannot delete volume '${name}' of pool '${p.name}'`, e);
    }
    p.volumes.delete(name);
    const dir = p.def.target?.path;
    if (dir !== undefined) await removeSecretNote(dir, name).catch(() => undefined);
    if (dir !== undefined) p.space = await fsSpace(dir);
    return volumeView(p.name, v);
  });
}
