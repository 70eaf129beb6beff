/**
 * What the daemon keeps about each storage pool and the volumes of an active
 * one, and the views the API answers with. Volumes are not stored anywhere
 * but in their pool: a refresh (at start, on pool-refresh) lists the pool's
 * directory and each change updates the list.
 */
import type { PoolDef } from './pool-xml.js';

/** libvirt's virStoragePoolState. */
export type PoolState = 'inactive' | 'building' | 'running' | 'degraded' | 'inaccessible';

export interface VolumeRecord {
  readonly name: string;
  readonly key: string;
  readonly path: string;
  /** libvirt's volume type: file, dir, block; network for an rbd image. */
  readonly type: 'file' | 'dir' | 'block' | 'network';
  readonly format: string;
  readonly capacity: number;
  allocation: number;
  readonly backing: { readonly path: string; readonly format: string | undefined } | undefined;
  /** What the header says the data is encrypted with (libvirt's <encryption format>): qcow2/raw LUKS, or qcow's old AES. */
  readonly encryption?: 'luks' | 'qcow' | undefined;
  /** The secret virtkit made an encrypted volume with, from its note (volume-secret-note.ts). */
  readonly encryptionSecret?: { readonly uuid?: string; readonly usage?: string } | undefined;
}

export interface PoolRecord {
  readonly name: string;
  readonly uuid: string;
  /** The persistent definition as stored (for a transient pool: the one it was created from). */
  xml: string;
  def: PoolDef;
  persistent: boolean;
  autostart: boolean;
  state: PoolState;
  /** Sizes of the pool's file system, read at start and refresh; zero while inactive. */
  space: { capacity: number; allocation: number; available: number };
  volumes: Map<string, VolumeRecord>;
}

/** run/storage/NAME.json: an active pool (a transient pool has no other copy of its XML). */
export interface PoolStatus {
  readonly name: string;
  readonly uuid: string;
  readonly xml: string;
  readonly persistent: boolean;
  /** ISO 8601. */
  readonly startedAt: string;
}

export function parsePoolStatus(v: unknown): PoolStatus | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const ok = typeof o['name'] === 'string' && typeof o['uuid'] === 'string' && typeof o['xml'] === 'string' &&
    typeof o['persistent'] === 'boolean' && typeof o['startedAt'] === 'string';
  return ok ? (o as unknown as PoolStatus) : undefined;
}

export interface PoolInfo {
  readonly name: string;
  readonly uuid: string;
  readonly type: string;
  readonly state: PoolState;
  readonly active: boolean;
  readonly persistent: boolean;
  readonly autostart: boolean;
  /** Bytes; null while the pool is inactive. */
  readonly capacity: number | null;
  readonly allocation: number | null;
  readonly available: number | null;
  readonly target: string | null;
  readonly volumes: number | null;
}

export interface VolumeInfo {
  readonly name: string;
  readonly pool: string;
  readonly key: string;
  readonly path: string;
  readonly type: 'file' | 'dir' | 'block' | 'network';
  readonly format: string;
  readonly capacity: number;
  readonly allocation: number;
  readonly backing: { readonly path: string; readonly format: string | null } | null;
}

export function poolView(p: PoolRecord): PoolInfo {
  const active = p.state !== 'inactive';
  return {
    name: p.name, uuid: p.uuid, type: p.def.type, state: p.state, active, persistent: p.persistent, autostart: p.autostart,
    capacity: active ? p.space.capacity : null,
    allocation: active ? p.space.allocation : null,
    available: active ? p.space.available : null,
    target: p.def.target?.path ?? null,
    volumes: active ? p.volumes.size : null,
  };
}

export function volumeView(pool: string, v: VolumeRecord): VolumeInfo {
  return {
    name: v.name, pool, key: v.key, path: v.path, type: v.type, format: v.format, capacity: v.capacity,
    allocation: v.allocation, backing: v.backing ? { path: v.backing.path, format: v.backing.format ?? null } : null,
  };
}
