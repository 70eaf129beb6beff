/**
 * <volume>: libvirt's storage volume XML. The volume's type, path and default
 * format come from its pool (defaults.ts); what a pool type allows is checked
 * in validate.ts. Children are written in libvirt's order.
 */
import type { Model } from '../schema.js';
import { attr, elem, many, one, req, reqOne, text } from '../schema.js';
import type { ValueType } from '../values.js';
import { oneOf, str, token, uint, uuidType } from '../values.js';
import { byteSizeSpec, permissionsSpec } from './common.js';

/** libvirt's volume formats for file-backed pools ('none' is a partition's, 'luks' a raw LUKS image). */
export const VOLUME_FORMATS = [
  'none', 'raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'cow', 'qcow', 'qcow2', 'qed', 'vmdk', 'luks',
] as const;
export type VolumeFormat = (typeof VOLUME_FORMATS)[number];

export const VOLUME_TYPES = ['file', 'block', 'dir', 'network', 'netdir', 'ploop'] as const;

/** Seconds since the epoch with up to nanoseconds, as libvirt writes <atime>: kept as written. */
const timestamp: ValueType<string> = {
  describe: 'seconds since the epoch (like 1341933637.273190990)',
  parse: (s) => {
    const t = s.trim();
    if (!/^[0-9]+(\.[0-9]{1,9})?$/.test(t)) throw new Error('is not a timestamp (seconds[.nanoseconds])');
    return t;
  },
  format: (v) => v,
};

const timestampsSpec = elem({
  children: { atime: one(text(timestamp)), mtime: one(text(timestamp)), ctime: one(text(timestamp)), btime: one(text(timestamp)) },
});

export const volumeFormatSpec = elem({ attrs: { type: req(oneOf(...VOLUME_FORMATS)) } });

export const encryptionSpec = elem({
  attrs: { format: req(oneOf('default', 'qcow', 'luks', 'luks2', 'luks-any')) },
  children: {
    secret: one(elem({ attrs: { type: req(oneOf('passphrase')), uuid: attr(uuidType), usage: attr(token) } })),
    cipher: one(elem({ attrs: { name: req(token), size: req(uint), mode: attr(token), hash: attr(token) } })),
    ivgen: one(elem({ attrs: { name: req(token), hash: attr(token) } })),
  },
});
export type EncryptionDef = Model<typeof encryptionSpec>;

export const volumeTargetSpec = elem({
  children: {
    path: one(text(token)),
    format: one(volumeFormatSpec),
    permissions: one(permissionsSpec),
    timestamps: one(timestampsSpec),
    encryption: one(encryptionSpec),
    compat: one(text(oneOf('0.10', '1.1'))),
    clusterSize: one(byteSizeSpec),
    nocow: one(elem({})),
    features: one(elem({ children: { lazy_refcounts: one(elem({})), extended_l2: one(elem({})) } })),
  },
});

export const volumeBackingSpec = elem({
  children: {
    path: reqOne(text(token)),
    format: one(volumeFormatSpec),
    permissions: one(permissionsSpec),
    timestamps: one(timestampsSpec),
  },
});

export const volumeSpec = elem({
  attrs: { type: attr(oneOf(...VOLUME_TYPES)) },
  children: {
    name: reqOne(text(token)),
    key: one(text(str)),
    source: one(
      elem({
        children: {
          device: many(elem({ attrs: { path: req(token) }, children: { extent: many(elem({ attrs: { start: req(uint), end: req(uint) } })) } })),
        },
      }),
    ),
    capacity: one(byteSizeSpec),
    allocation: one(byteSizeSpec),
    physical: one(byteSizeSpec),
    target: one(volumeTargetSpec),
    backingStore: one(volumeBackingSpec),
  },
});

export type VolumeDef = Model<typeof volumeSpec>;
export type VolumeTarget = Model<typeof volumeTargetSpec>;
export type VolumeBacking = Model<typeof volumeBackingSpec>;
