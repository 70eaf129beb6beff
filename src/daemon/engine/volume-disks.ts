/**
 * <disk type='volume'><source pool= volume=/>: resolved through the storage engine when a
 * domain starts and when such a disk is attached. The pool must be active and hold the volume;
 * the disk becomes type='file' (or 'block') with the volume's path, and takes the volume's
 * format when the disk names none (virStorageTranslateDiskSourcePool). A volume of an rbd pool
 * becomes type='network' protocol='rbd' name='CEPHPOOL/IMAGE' with the pool's monitors as
 * <host> and the pool's <auth> (its 'ceph' secret gives QEMU the key). Only the running
 * definition is changed: the persistent one keeps the pool and volume names.
 */
import { VirtkitError } from '../../core/errors.js';
import type { DiskDef } from '../../core/xml/domain/index.js';
import type { DomainDef } from '../domain-xml.js';
import { lookupPool, volumeIn } from '../storage/queries.js';
import type { StorageContext } from '../storage/context.js';

/** The volume formats a volume disk without <driver type> takes from its pool. */
const TAKEN_FORMATS = new Set(['raw', 'qcow2', 'iso']);

export async function resolveVolumeDisk(storage: StorageContext, disk: DiskDef): Promise<DiskDef> {
  if (disk.type !== 'volume') return disk;
  const where = `/domain/devices/disk[target/@dev='${disk.target?.dev ?? '?'}']/source`;
  const { pool: poolName, volume } = disk.source ?? {};
  if (poolName === undefined || volume === undefined) {
    throw new VirtkitError('XML_MISSING', `${where}: a disk of type 'volume' needs <source pool='...' volume='...'/>`, { details: { path: where } });
  }
  const pool = await lookupPool(storage, poolName);
  const v = volumeIn(pool, volume);
  if (v.type === 'dir') {
    throw new VirtkitError('OPERATION_INVALID', `${where}: volume '${volume}' of pool '${poolName}' is a directory, not a disk image`, { details: { path: where } });
  }
  const { pool: _p, volume: _v, mode: _m, ...rest } = disk.source ?? {};
  // A format the pool knows only from the file's magic (vmdk, vdi, vhdx, vpc, qed, qcow) is never
  // taken for a guest: the disk must say it (docs/storage.md). raw and qcow2 are what virtkit makes.
  if (disk.driver?.type === undefined && !TAKEN_FORMATS.has(v.format)) {
    throw new VirtkitError('XML_MISSING',
      `${where}: volume '${volume}' of pool '${poolName}' looks like ${v.format} (by its magic bytes); a guest never gets a guessed format: name it with <driver type='${v.format}'/> if that is what it is`,
      { details: { path: where, pool: poolName, volume, format: v.format } });
  }
  const format = disk.driver?.type ?? (v.format === 'iso' ? 'raw' : v.format);
  if (v.type === 'network') {
    const src = pool.def.source;
    const auth = src?.auth;
    return {
      ...disk,
      type: 'network',
      source: {
        ...rest, protocol: 'rbd', name: v.path,
        host: (src?.host ?? []).map((h) => ({ name: h.name, ...(h.port === undefined ? {} : { port: h.port }) })),
        ...(auth === undefined ? {} : {
          auth: { username: auth.username, secret: { type: 'ceph', ...(auth.secret.uuid === undefined ? {} : { uuid: auth.secret.uuid }), ...(auth.secret.usage === undefined ? {} : { usage: auth.secret.usage }) } },
        }),
      },
      driver: { ...disk.driver, type: format as NonNullable<NonNullable<DiskDef['driver']>['type']> },
    };
  }
  return {
    ...disk,
    type: v.type as 'file' | 'block',
    source: { ...rest, ...(v.type === 'block' ? { dev: v.path } : { file: v.path }) },
    driver: { ...disk.driver, type: format as NonNullable<NonNullable<DiskDef['driver']>['type']> },
  };
}

/** `def` with each volume disk resolved (the same object when it has none). */
export async function resolveVolumeDisks(storage: StorageContext, def: DomainDef): Promise<DomainDef> {
  const disks = def.devices?.disk ?? [];
  if (!disks.some((d) => d.type === 'volume')) return def;
  const resolved = await Promise.all(disks.map((d) => resolveVolumeDisk(storage, d)));
  return { ...def, devices: { ...def.devices, disk: resolved } };
}
