/**
 * The storage daemon's only door to the pool and volume XML model
 * (src/core/xml/storage): parse -> defaults -> validate -> format, and the
 * few facts the daemon reads off a definition. Loaded on first need.
 */
import { randomBytes } from 'node:crypto';
import {
  formatPoolXml, formatVolumeXml, parsePoolXml, parseVolumeXml, preparePool, prepareVolume, validatePool, validateVolume,
} from '../../core/xml/storage/index.js';
import type { PoolDef, VolumeDef } from '../../core/xml/storage/index.js';

export type { PoolDef, VolumeDef };

const random = { random: (n: number) => randomBytes(n) };

/** A pool definition from XML, with libvirt's defaults (a UUID when it has none) and checked. */
export function preparePoolXml(text: string, uuidIfNone?: string): { def: PoolDef; xml: string } {
  const parsed = parsePoolXml(text);
  const def = preparePool(parsed.uuid === undefined && uuidIfNone !== undefined ? { ...parsed, uuid: uuidIfNone } : parsed, random);
  validatePool(def);
  return { def, xml: formatPoolXml(def) };
}

/** A definition read back from the store or a status file: written by us, parsed as is. */
export function parseStoredPool(text: string): PoolDef {
  return parsePoolXml(text);
}

export function poolXml(def: PoolDef): string {
  return formatPoolXml(def);
}

/** A new volume's definition in `pool`, with the pool's defaults (type, format, path, key) and checked. */
export function prepareVolumeXml(text: string, pool: PoolDef): VolumeDef {
  const vol = prepareVolume(parseVolumeXml(text), pool);
  validateVolume(vol, pool);
  return vol;
}

export function volumeXml(def: VolumeDef): string {
  return formatVolumeXml(def);
}

/** The pool's directory (dir, fs, netfs pools); undefined for rbd. */
export function targetPath(def: PoolDef): string | undefined {
  return def.target?.path;
}

export function poolUuid(def: PoolDef): string {
  // preparePool always sets it; a stored definition always has one.
  return def.uuid ?? '';
}
