/**
 * The storage part of the engine's one typed action list (engine/actions.ts
 * merges it): pool and volume actions and their results. Queries never wait.
 */
import type { EngineContext } from '../engine/context.js';
import {
  buildPool, createPool, definePool, deletePool, destroyPool, refreshPool, setPoolAutostart, startPool, undefinePool,
} from './pool-ops.js';
import { findVolume, getPool, getVolume, listPools, listVolumes, lookupPool, poolXml, volumeIn, type PoolFilter } from './queries.js';
import type { PoolInfo, VolumeInfo, VolumeRecord } from './records.js';
import { createVolume, deleteVolume } from './volume-ops.js';
import { poolCapabilitiesXml } from '../../core/storage/pool-capabilities.js';
import { resizeVolume, wipeVolume } from './volume-change.js';
import { cloneVolume, createVolumeFrom, importVolume } from './volume-copy.js';
import { downloadVolume, uploadVolume, type Download, type UploadRequest } from './volume-content.js';
import { leaseVolume, type LeaseRequest, type VolumeLease } from './volume-lease.js';

type Pool = { readonly pool: string };
type Opts = { readonly wait?: number };

export type StorageAction =
  | { readonly kind: 'poolList'; readonly filter: PoolFilter }
  | ({ readonly kind: 'poolGet' } & Pool)
  | ({ readonly kind: 'poolXml'; readonly inactive?: boolean } & Pool)
  | { readonly kind: 'poolDefine'; readonly xml: string }
  | { readonly kind: 'poolCreate'; readonly xml: string; readonly build?: boolean }
  | ({ readonly kind: 'poolUndefine' } & Pool)
  | ({ readonly kind: 'poolBuild' } & Pool)
  | ({ readonly kind: 'poolStart'; readonly build?: boolean } & Pool)
  | ({ readonly kind: 'poolDestroy' } & Pool)
  | ({ readonly kind: 'poolDelete' } & Pool)
  | ({ readonly kind: 'poolRefresh' } & Pool)
  | ({ readonly kind: 'poolAutostart'; readonly enabled: boolean } & Pool)
  | ({ readonly kind: 'volList' } & Pool)
  | ({ readonly kind: 'volGet'; readonly volume: string } & Pool)
  | ({ readonly kind: 'volXml'; readonly volume: string } & Pool)
  | ({ readonly kind: 'volCreate'; readonly xml: string; readonly preallocMetadata?: boolean } & Pool)
  | ({ readonly kind: 'volDelete'; readonly volume: string } & Pool)
  | { readonly kind: 'volFind'; readonly keyOrPath: string }
  | { readonly kind: 'poolCapabilities' }
  | ({
    readonly kind: 'volCreateFrom'; readonly xml: string; readonly inputPool: string; readonly inputVolume: string; readonly preallocMetadata?: boolean;
    /** Percentages of the copy (the WebSocket form sends them on). */
    readonly onProgress?: (percent: number) => void;
  } & Pool)
  | ({
    readonly kind: 'volClone'; readonly volume: string; readonly newName: string; readonly linked?: boolean; readonly preallocMetadata?: boolean;
    /** Percentages of a full copy (the WebSocket form sends them on); a linked clone has none. */
    readonly onProgress?: (percent: number) => void;
  } & Pool)
  | ({ readonly kind: 'volResize'; readonly volume: string; readonly capacity: number; readonly allocate?: boolean; readonly delta?: boolean; readonly shrink?: boolean } & Pool)
  | ({ readonly kind: 'volWipe'; readonly volume: string; readonly algorithm?: string } & Pool)
  | ({
    readonly kind: 'volImport'; readonly file: string; readonly format: string; readonly name?: string; readonly targetFormat?: 'qcow2' | 'raw';
    /** Percentages of the conversion (the WebSocket import sends them on). */
    readonly onProgress?: (percent: number) => void;
  } & Pool)
  | ({ readonly kind: 'volUpload'; readonly volume: string; readonly upload: UploadRequest } & Pool)
  | ({ readonly kind: 'volDownload'; readonly volume: string; readonly offset: number; readonly length?: number } & Pool)
  /** The local fast path of vol-upload / vol-download (volume-lease.ts): over the UNIX socket only. */
  | ({ readonly kind: 'volLease'; readonly volume: string; readonly lease: LeaseRequest } & Pool);

export interface StorageResults {
  poolList: PoolInfo[];
  poolGet: PoolInfo;
  poolXml: string;
  poolDefine: { readonly pool: PoolInfo; readonly created: boolean };
  poolCreate: PoolInfo;
  poolUndefine: PoolInfo;
  poolBuild: PoolInfo;
  poolStart: PoolInfo;
  poolDestroy: PoolInfo;
  poolDelete: PoolInfo;
  poolRefresh: PoolInfo;
  poolAutostart: PoolInfo;
  volList: VolumeInfo[];
  volGet: VolumeInfo;
  volXml: string;
  volCreate: VolumeInfo;
  volDelete: VolumeInfo;
  volFind: VolumeInfo;
  poolCapabilities: string;
  volCreateFrom: VolumeInfo;
  volClone: VolumeInfo;
  volResize: VolumeInfo;
  volWipe: VolumeInfo;
  volImport: VolumeInfo;
  volUpload: VolumeInfo;
  volDownload: Download;
  volLease: VolumeLease;
}

type Of<K extends StorageAction['kind']> = Extract<StorageAction, { kind: K }>;
type Handler<K extends StorageAction['kind']> = (ctx: EngineContext, a: Of<K>, o: Opts) => Promise<StorageResults[K]>;

function encryptionOf(v: VolumeRecord): { format: 'luks' | 'qcow'; secret?: { type: 'passphrase'; uuid?: string; usage?: string } } {
  const s = v.encryptionSecret;
  return { format: v.encryption ?? 'luks', ...(s ? { secret: { type: 'passphrase', ...s } } : {}) };
}

/** A volume's XML: libvirt's, from what the pool knows about the file. */
async function volXml(ctx: EngineContext, a: Of<'volXml'>): Promise<string> {
  const s = ctx.storage;
  const p = await lookupPool(s, a.pool);
  const v = volumeIn(p, a.volume);
  const info = await getVolume(s, a.pool, a.volume);
  const x = await s.xml();
  return x.volumeXml({
    type: v.type, name: v.name, key: v.key,
    capacity: { value: info.capacity }, allocation: { value: info.allocation },
    // After a refresh libvirt knows only the encryption's format (storageBackendProbeTarget); virtkit
    // adds the secret it made the volume with, when it noted one (volume-secret-note.ts).
    target: { path: v.path, format: { type: v.format as never }, ...(v.encryption ? { encryption: encryptionOf(v) } : {}) },
    ...(v.backing ? { backingStore: { path: v.backing.path, ...(v.backing.format ? { format: { type: v.backing.format as never } } : {}) } } : {}),
  });
}

export const storageHandlers: { readonly [K in StorageAction['kind']]: Handler<K> } = {
  poolList: async (ctx, a) => listPools(ctx.storage, a.filter),
  poolGet: (ctx, a) => getPool(ctx.storage, a.pool),
  poolXml: (ctx, a) => poolXml(ctx.storage, a.pool, a.inactive === true),
  poolDefine: (ctx, a, o) => definePool(ctx.storage, a.xml, o),
  poolCreate: (ctx, a, o) => createPool(ctx.storage, a.xml, { ...o, ...(a.build === undefined ? {} : { build: a.build }) }),
  poolUndefine: (ctx, a, o) => undefinePool(ctx.storage, a.pool, o),
  poolBuild: (ctx, a, o) => buildPool(ctx.storage, a.pool, o),
  poolStart: (ctx, a, o) => startPool(ctx.storage, a.pool, { ...o, ...(a.build === undefined ? {} : { build: a.build }) }),
  poolDestroy: (ctx, a, o) => destroyPool(ctx.storage, a.pool, o),
  poolDelete: (ctx, a, o) => deletePool(ctx.storage, a.pool, o),
  poolRefresh: (ctx, a, o) => refreshPool(ctx.storage, a.pool, o),
  poolAutostart: (ctx, a, o) => setPoolAutostart(ctx.storage, a.pool, a.enabled, o),
  volList: (ctx, a) => listVolumes(ctx.storage, a.pool),
  volGet: (ctx, a) => getVolume(ctx.storage, a.pool, a.volume),
  volXml: (ctx, a) => volXml(ctx, a),
  volCreate: (ctx, a, o) => createVolume(ctx.storage, a.pool, a.xml, { ...o, ...(a.preallocMetadata === undefined ? {} : { preallocMetadata: a.preallocMetadata }) }),
  volDelete: (ctx, a, o) => deleteVolume(ctx.storage, a.pool, a.volume, o),
  volFind: async (ctx, a) => findVolume(ctx.storage, a.keyOrPath),
  poolCapabilities: async () => poolCapabilitiesXml(),
  volCreateFrom: (ctx, a, o) => createVolumeFrom(ctx.storage, a.pool, a.xml, { pool: a.inputPool, volume: a.inputVolume }, { ...o, preallocMetadata: a.preallocMetadata, onProgress: a.onProgress }),
  volClone: (ctx, a, o) => cloneVolume(ctx.storage, a.pool, a.volume, a.newName, { ...o, linked: a.linked, preallocMetadata: a.preallocMetadata, onProgress: a.onProgress }),
  volResize: (ctx, a, o) => resizeVolume(ctx.storage, a.pool, a.volume, a.capacity, { ...o, allocate: a.allocate, delta: a.delta, shrink: a.shrink }),
  volWipe: (ctx, a, o) => wipeVolume(ctx.storage, a.pool, a.volume, a.algorithm ?? 'zero', o),
  volImport: (ctx, a, o) => importVolume(ctx.storage, a.pool, { file: a.file, format: a.format, name: a.name, targetFormat: a.targetFormat }, { ...o, onProgress: a.onProgress }),
  volUpload: (ctx, a, o) => uploadVolume(ctx.storage, a.pool, a.volume, a.upload, o),
  volDownload: (ctx, a) => downloadVolume(ctx.storage, a.pool, a.volume, a.offset, a.length),
  volLease: (ctx, a, o) => leaseVolume(ctx.storage, a.pool, a.volume, a.lease, o),
};
