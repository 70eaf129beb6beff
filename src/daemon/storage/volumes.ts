/**
 * The volumes of a directory-backed pool are the entries of its directory:
 * listing reads each one (virtkit's qcow2 header reader for files, so that a
 * qcow2 shows its virtual size and backing file; anything else is raw) with its
 * real allocation (st_blocks * 512).
 * Leftovers of interrupted creations (hidden temp files) are removed here.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readPoolVolumeHeader } from '../../host/storage/image-files.js';
import { fileSizes, fsSpace, type PoolSpace } from '../../host/storage/space.js';
import { isTempVolume, removeTempVolumes } from '../../host/storage/volume-files.js';
import type { StorageContext } from './context.js';
import type { PoolDef } from './pool-xml.js';
import type { VolumeRecord } from './records.js';
import { isRbdPool, scanRbdPool } from './rbd-volumes.js';
import { finishResizes, isResizeMarker } from './volume-resize.js';
import { isSecretNote, pruneSecretNotes, readSecretNote } from './volume-secret-note.js';

export function emptySpace(): PoolSpace {
  return { capacity: 0, allocation: 0, available: 0 };
}

/** One entry of a pool's directory as a volume; undefined when it vanished or is neither file nor directory. */
export async function readVolume(ctx: StorageContext, dir: string, name: string): Promise<VolumeRecord | undefined> {
  const path = join(dir, name);
  const s = await fileSizes(path).catch(() => undefined);
  if (!s) return undefined;
  if (s.isDirectory) {
    return { name, key: path, path, type: 'dir', format: 'dir', capacity: s.length, allocation: s.allocation, backing: undefined };
  }
  if (!s.isFile && !s.isBlockDevice) return undefined;
  if (s.isBlockDevice) return { name, key: path, path, type: 'block', format: 'raw', capacity: s.length, allocation: s.allocation, backing: undefined };
  try {
    // virtkit's own header reader (core/storage/qcow2.ts), bounded and never following the
    // backing file: a pool volume's format is what its header says (libvirt probes pool
    // volumes too); a domain disk's format is always explicit.
    const head = await readPoolVolumeHeader(path);
    if (head === undefined) {
      return { name, key: path, path, type: 'file', format: 'raw', capacity: s.length, allocation: s.allocation, backing: undefined };
    }
    if (head.kind === 'probed') {
      // vmdk, vdi, vhdx, vpc, qed, qcow v1 or raw LUKS, by magic only (core/storage/image-probe.ts).
      const { format, capacity, encryption } = head.image;
      const encryptionSecret = encryption === undefined ? undefined : await readSecretNote(dir, name);
      return { name, key: path, path, type: 'file', format, capacity: capacity ?? s.length, allocation: s.allocation, backing: undefined, encryption, encryptionSecret };
    }
    const info = head.info;
    const backing = info.backingFile === undefined ? undefined : { path: info.backingFile, format: info.backingFormat };
    const encryption = info.encryption === 'luks' ? 'luks' : info.encryption === 'aes' ? 'qcow' : undefined;
    const encryptionSecret = encryption === undefined ? undefined : await readSecretNote(dir, name);
    return { name, key: path, path, type: 'file', format: 'qcow2', capacity: info.virtualSize, allocation: s.allocation, backing, encryption, encryptionSecret };
  } catch (e) {
    // A file the reader refuses (damaged or hostile header) is still a file in the pool: list it as raw.
    ctx.deps.log.warn(`pool volume ${path}: ${(e as Error).message}`);
    return { name, key: path, path, type: 'file', format: 'raw', capacity: s.length, allocation: s.allocation, backing: undefined };
  }
}

export async function scanPool(ctx: StorageContext, def: PoolDef): Promise<{ volumes: Map<string, VolumeRecord>; space: PoolSpace }> {
  if (isRbdPool(def)) return scanRbdPool(ctx, def);
  const dir = def.target?.path;
  if (dir === undefined) return { volumes: new Map(), space: emptySpace() };
  const removed = await removeTempVolumes(dir);
  if (removed.length > 0) ctx.deps.log.warn(`pool '${def.name}': removed ${removed.length} half-made volume(s): ${removed.join(', ')}`);
  const finished = await finishResizes(ctx, dir, await readdir(dir));
  if (finished.length > 0) ctx.deps.log.warn(`pool '${def.name}': finished ${finished.length} interrupted resize(s): ${finished.join(', ')}`);
  const entries = await readdir(dir);
  await pruneSecretNotes(dir, entries);
  const names = entries.filter((n) => !isTempVolume(n) && !isResizeMarker(n) && !isSecretNote(n)).sort();
  const vols = await Promise.all(names.map((n) => readVolume(ctx, dir, n)));
  const volumes = new Map<string, VolumeRecord>();
  for (const v of vols) if (v) volumes.set(v.name, v);
  return { volumes, space: await fsSpace(dir) };
}
