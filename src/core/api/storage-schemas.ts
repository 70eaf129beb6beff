/**
 * The storage API's bodies and answers (pools and volumes), as strict valibot
 * schemas; schemas.ts re-exports them and adds them to its named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const storageSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  storageSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const bytes = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const str = v.string();
const bool = v.boolean();
const nonEmpty = v.pipe(v.string(), v.minLength(1));

export const PoolInfo = named('PoolInfo', 'A storage pool as pool-list and pool-info show it', v.strictObject({
  name: str,
  uuid: v.pipe(str, v.uuid()),
  type: described(str, 'dir, fs, netfs or rbd'),
  state: described(v.picklist(['inactive', 'building', 'running', 'degraded', 'inaccessible']), "libvirt's pool state"),
  active: bool,
  persistent: bool,
  autostart: bool,
  capacity: described(v.nullable(bytes), 'Bytes of the file system the pool is on; null while inactive'),
  allocation: described(v.nullable(bytes), 'Bytes used on that file system; null while inactive'),
  available: described(v.nullable(bytes), 'Bytes free for new volumes; null while inactive'),
  target: described(v.nullable(str), 'The directory of its volumes (null for rbd)'),
  volumes: described(v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(0))), 'Number of volumes; null while inactive'),
}));

export const PoolList = named('PoolList', 'Storage pools, sorted by name', v.strictObject({ pools: v.array(PoolInfo) }));

export const PoolDefineResult = named('PoolDefineResult', 'A pool definition stored', v.strictObject({
  pool: PoolInfo,
  created: described(bool, 'false when an existing definition was replaced'),
}));

export const VolumeInfo = named('VolumeInfo', 'A storage volume as vol-list and vol-info show it', v.strictObject({
  name: str,
  pool: str,
  key: described(str, 'Unique key (its path, in file-backed pools)'),
  path: str,
  type: v.picklist(['file', 'dir', 'block', 'network']),
  format: described(str, 'Image format: raw, qcow2...'),
  capacity: described(bytes, 'Virtual size in bytes'),
  allocation: described(bytes, 'Bytes really allocated on disk (st_blocks * 512)'),
  backing: v.nullable(v.strictObject({ path: str, format: v.nullable(str) })),
}));

export const VolumeList = named('VolumeList', 'The volumes of an active pool, sorted by name', v.strictObject({ volumes: v.array(VolumeInfo) }));

export const PoolXmlBody = named('PoolXmlRequest', 'Pool XML (pool-define)', v.strictObject({
  xml: described(nonEmpty, 'libvirt storage pool XML'),
}));

export const PoolCreateBody = named('PoolCreateRequest', 'Start a transient pool from XML (pool-create)', v.strictObject({
  xml: nonEmpty,
  build: v.optional(described(bool, 'Build the pool (make its target directory) first')),
}));

export const PoolStartBody = named('PoolStartRequest', 'Options of pool-start', v.strictObject({
  build: v.optional(described(bool, 'Build the pool (make its target directory) first')),
}));

export const VolumeCreateBody = named('VolumeCreateRequest', 'Create a volume from XML (vol-create, vol-create-as)', v.strictObject({
  xml: described(nonEmpty, 'libvirt storage volume XML'),
  preallocMetadata: v.optional(described(bool, 'Preallocate qcow2 metadata (virsh --prealloc-metadata)')),
}));

// Volume copies, clones, resizes, wipes and imports (daemon/storage/volume-copy.ts, volume-change.ts).

export const VolumeCreateFromBody = named('VolumeCreateFromRequest', 'A new volume holding a copy of another (vol-create-from)', v.strictObject({
  xml: described(nonEmpty, 'libvirt storage volume XML of the new volume'),
  inputPool: described(nonEmpty, 'Pool (name or UUID) of the volume to copy'),
  inputVolume: described(nonEmpty, 'Name of the volume to copy'),
  preallocMetadata: v.optional(described(bool, 'Preallocate qcow2 metadata (virsh --prealloc-metadata)')),
}));

export const VolumeCloneBody = named('VolumeCloneRequest', 'Clone a volume in its pool (vol-clone)', v.strictObject({
  name: described(nonEmpty, 'Name of the clone'),
  linked: v.optional(described(bool, "A qcow2 overlay backed by the source (its format recorded) instead of a full copy in the source's format")),
  preallocMetadata: v.optional(described(bool, 'Preallocate qcow2 metadata of a full copy')),
}));

export const VolumeResizeBody = named('VolumeResizeRequest', 'Resize a raw or qcow2 volume (vol-resize)', v.strictObject({
  capacity: described(bytes, 'New capacity in bytes (with delta: bytes to add)'),
  allocate: v.optional(described(bool, 'Allocate the added space instead of leaving it sparse')),
  delta: v.optional(described(bool, 'capacity is added to the current capacity')),
  shrink: v.optional(described(bool, 'Allow a capacity below the current one (data past it is lost)')),
}));

export const VolumeWipeBody = named('VolumeWipeRequest', 'Wipe a volume (vol-wipe)', v.strictObject({
  algorithm: v.optional(described(nonEmpty, "libvirt's wipe algorithm; virtkit does 'zero' (the default)")),
}));

export const VolumeImportBody = named('VolumeImportRequest', 'Convert an image file on the daemon host into a pool volume (vol-import)', v.strictObject({
  file: described(nonEmpty, 'Absolute path of the image file on the daemon host'),
  format: described(v.picklist(['raw', 'qcow2', 'vmdk', 'vdi', 'vpc', 'vhdx']), 'Its format, as stated (never probed)'),
  name: v.optional(described(nonEmpty, "The new volume's name (default: the file's name with the target format as extension)")),
  targetFormat: v.optional(described(v.picklist(['qcow2', 'raw']), "The new volume's format (default qcow2)")),
}));
