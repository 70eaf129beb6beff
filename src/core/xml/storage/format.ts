/** Step 4: pool and volume models back to libvirt-style XML (two-space indent, single quotes, libvirt's order). */
import { formatWithSpec } from '../codec.js';
import type { PoolDef } from './pool-schema.js';
import { poolSpec } from './pool-schema.js';
import type { VolumeDef } from './volume-schema.js';
import { volumeSpec } from './volume-schema.js';

export function formatPoolXml(def: PoolDef): string {
  return formatWithSpec(poolSpec, def, 'pool', '');
}

export function formatVolumeXml(def: VolumeDef): string {
  return formatWithSpec(volumeSpec, def, 'volume', '');
}
