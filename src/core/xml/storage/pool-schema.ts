/**
 * <pool>: libvirt's storage pool XML, for the pool types virtkit runs (dir, fs,
 * netfs, rbd). The schema is the union of what those types use; validate.ts
 * says which parts each type needs or refuses. The order of children is the
 * order virtkit writes them (libvirt's).
 */
import type { Model } from '../schema.js';
import { attr, elem, many, one, req, reqOne, text } from '../schema.js';
import { oneOf, token, uint, uuidType, yesNo } from '../values.js';
import { byteSizeSpec, permissionsSpec } from './common.js';

/** Pool types virtkit runs. */
export const POOL_TYPES = ['dir', 'fs', 'netfs', 'rbd'] as const;
export type PoolType = (typeof POOL_TYPES)[number];

/** Pool types libvirt has and virtkit refuses (XML_UNSUPPORTED at /pool/@type). */
export const REFUSED_POOL_TYPES = ['logical', 'disk', 'iscsi', 'iscsi-direct', 'scsi', 'mpath', 'zfs', 'gluster', 'vstorage', 'sheepdog'] as const;

/** <source><format type>: file systems for fs pools, network file systems for netfs pools. */
export const FS_POOL_FORMATS = ['auto', 'ext2', 'ext3', 'ext4', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'vfat', 'hfs+', 'xfs', 'ocfs2', 'vmfs'] as const;
export const NETFS_POOL_FORMATS = ['auto', 'nfs', 'glusterfs', 'cifs'] as const;

export const poolAuthSpec = elem({
  attrs: { type: req(oneOf('ceph', 'chap')), username: req(token) },
  children: { secret: reqOne(elem({ attrs: { uuid: attr(uuidType), usage: attr(token) } })) },
});

export const poolSourceSpec = elem({
  children: {
    host: many(elem({ attrs: { name: req(token), port: attr(uint) } })),
    device: many(elem({ attrs: { path: req(token) } })),
    dir: one(elem({ attrs: { path: req(token) } })),
    name: one(text(token)),
    format: one(elem({ attrs: { type: req(oneOf(...new Set([...FS_POOL_FORMATS, ...NETFS_POOL_FORMATS]))) } })),
    auth: one(poolAuthSpec),
    protocol: one(elem({ attrs: { ver: req(uint) } })),
  },
});

export const poolTargetSpec = elem({
  children: {
    path: one(text(token)),
    permissions: one(permissionsSpec),
  },
});

export const poolSpec = elem({
  attrs: { type: req(oneOf(...POOL_TYPES)) },
  children: {
    name: reqOne(text(token)),
    uuid: one(text(uuidType)),
    capacity: one(byteSizeSpec),
    allocation: one(byteSizeSpec),
    available: one(byteSizeSpec),
    features: one(elem({ children: { cow: one(elem({ attrs: { state: req(yesNo) } })) } })),
    source: one(poolSourceSpec),
    target: one(poolTargetSpec),
  },
});

export type PoolDef = Model<typeof poolSpec>;
export type PoolSource = Model<typeof poolSourceSpec>;
