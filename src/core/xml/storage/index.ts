/**
 * Storage pool and volume XML (libvirt-compatible): parse -> defaults -> validate -> format,
 * on the same declarative schema machinery as domains (../schema.ts, ../codec.ts).
 *   parsePoolXml / parseVolumeXml    XML text -> PoolDef / VolumeDef, refusing unknown elements
 *                                    and pool types virtkit does not run (parse.ts)
 *   preparePool / prepareVolume      libvirt's defaults (defaults.ts)
 *   validatePool / validateVolume    per-type rules (validate.ts)
 *   formatPoolXml / formatVolumeXml  the model back to XML (format.ts)
 *
 * Imports: ../ (schema machinery), ../../errors, and the UUID generator of domain defaults.
 */
export { parsePoolXml, parseVolumeXml, checkPoolXml, checkVolumeXml } from './parse.js';
export { formatPoolXml, formatVolumeXml } from './format.js';
export { preparePool, prepareVolume } from './defaults.js';
export type { StoragePrepareContext } from './defaults.js';
export { poolProblems, validatePool, volumeProblems, volumeShapeProblems, validateVolume, hasProtocolPrefix } from './validate.js';
export { poolVolumeType, poolDefaultFormat, sanitizePath, volumePathIn } from './volume-rules.js';
export { POOL_TYPES, REFUSED_POOL_TYPES, FS_POOL_FORMATS, NETFS_POOL_FORMATS, poolSpec } from './pool-schema.js';
export type { PoolDef, PoolSource, PoolType } from './pool-schema.js';
export { VOLUME_FORMATS, VOLUME_TYPES, volumeSpec } from './volume-schema.js';
export type { VolumeDef, VolumeTarget, VolumeBacking, VolumeFormat, EncryptionDef } from './volume-schema.js';
export type { Permissions, ByteSize } from './common.js';
