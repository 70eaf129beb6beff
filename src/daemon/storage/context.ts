/**
 * What every storage action works with: the pool registry (generic, see
 * ../objects), per-pool job locks, the pool event bus, the stores (the same
 * atomic file store as domain definitions, plus JSON status files of active
 * pools), the host's mounter and tool runner, and the XML model (loaded on
 * first use).
 */
import { Mounter } from '../../host/storage/mounts.js';
import { runTool, type ToolRunner } from '../../host/storage/tool.js';
import type { InstanceLayout } from '../paths.js';
import { FileConfigStore } from '../store/file-config-store.js';
import { FileRecordStore } from '../store/file-record-store.js';
import { MemoryConfigStore, MemoryRecordStore } from '../store/memory-stores.js';
import { JobLocks } from '../engine/job-lock.js';
import { ObjectEventBus } from '../objects/object-events.js';
import { ObjectRegistry } from '../objects/object-registry.js';
import type { RecordStore } from '../store/file-record-store.js';
import type { ConfigStore } from '../store/types.js';
import type * as PoolXml from './pool-xml.js';
import type { SecretContext } from '../secrets/context.js';
import { parsePoolStatus, poolView, type PoolInfo, type PoolRecord, type PoolStatus } from './records.js';

/** libvirt's storage pool lifecycle events (virStoragePoolEventLifecycleType), and its refresh event. */
export type PoolEventName = 'defined' | 'undefined' | 'started' | 'stopped' | 'created' | 'deleted' | 'refresh';

export interface StorageDeps {
  readonly config: ConfigStore;
  readonly status: RecordStore<PoolStatus>;
  readonly mounter: Mounter;
  readonly run: ToolRunner;
  /** Target of the `default` dir pool (the instance's images directory). */
  readonly imagesDir: string;
  readonly now?: () => number;
  readonly log: { info(m: string): void; warn(m: string): void; error(m: string): void };
}

export class StorageContext {
  readonly pools = new ObjectRegistry<PoolRecord>({ noun: 'pool', notFound: 'POOL_NOT_FOUND', exists: 'POOL_EXISTS' });
  readonly locks: JobLocks;
  readonly events: ObjectEventBus<'pool', PoolEventName>;
  /** The secrets, for the keys of encrypted volumes (set by the engine). */
  secrets: SecretContext | undefined;
  #xml: Promise<typeof PoolXml> | undefined;

  constructor(readonly deps: StorageDeps) {
    const now = deps.now ?? Date.now;
    this.locks = new JobLocks(now, 'pool');
    this.events = new ObjectEventBus('pool', now, (e, ev) => deps.log.error(`dropped a pool event subscriber that threw on ${ev.event}: ${String(e)}`));
  }

  xml(): Promise<typeof PoolXml> {
    this.#xml ??= import('./pool-xml.js');
    return this.#xml;
  }

  /** Runs `fn` as the one job of pool `name` (see JobLock). */
  job<T>(name: string, job: string, wait: number | undefined, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, job, wait ?? 0, fn);
  }

  view(p: PoolRecord): PoolInfo {
    return poolView(p);
  }

  /** Records that `p` is active (its status file), so that a restarted daemon knows. */
  async saveStatus(p: PoolRecord, xml: string): Promise<void> {
    await this.deps.status.save({ name: p.name, uuid: p.uuid, xml, persistent: p.persistent, startedAt: new Date((this.deps.now ?? Date.now)()).toISOString() });
  }
}

/** The instance's pool files (layout.poolsDir, poolStatusDir, imagesDir) and the real mount tools. */
export function defaultStorageDeps(layout: InstanceLayout, log: { warn(m: string): void }): Omit<StorageDeps, 'log' | 'now'> {
  return {
    config: new FileConfigStore(layout.poolsDir, layout.poolAutostartDir, layout.dirMode, 'pool'),
    status: new FileRecordStore(layout.poolStatusDir, 'pool', parsePoolStatus, (m) => log.warn(m), layout.dirMode),
    mounter: new Mounter(),
    run: runTool,
    imagesDir: layout.imagesDir,
  };
}

/** Pool stores in memory (engine tests with memory stores: nothing is written under their layout). */
export function memoryStorageDeps(imagesDir: string): Omit<StorageDeps, 'log' | 'now'> {
  return { config: new MemoryConfigStore(), status: new MemoryRecordStore<PoolStatus>(), mounter: new Mounter(), run: runTool, imagesDir };
}
