/**
 * What every action handler works with: the registry, the job locks, the
 * event bus, the stores and the (lazily loaded) hypervisor driver, plus the
 * few state transitions that several actions share.
 */
import { VirtkitError } from '../../core/errors.js';
import type { NodeInfo } from '../../host/nodeinfo.js';
import { hostReader, type HostReader } from '../../host/sysfs/host-reader.js';
import type * as DomainXml from '../domain-xml.js';
import type { DomainDef, PrepareContext } from '../domain-xml.js';
import type { DriverEvent, Hypervisor, HypervisorLoader, RunningDomain } from '../driver.js';
import type { InstanceLayout } from '../paths.js';
import type { EventDetail, EventWithDetail, StateReason, StateWithReason } from '../state.js';
import { hashXml, noSummaryCache, type CachedSummary, type SummaryCache } from '../store/summary-cache.js';
import type { ConfigStore, DomainStatus, StatusStore } from '../store/types.js';
import type { DomainInfo, DispatchOptions } from './actions.js';
import { ConsoleManager } from './console.js';
import { EventBus } from './events.js';
import { JobLocks } from './job-lock.js';
import { Registry, type DomainRecord } from './registry.js';
import { StatusWrites } from './status-writes.js';
import { defaultStorageDeps, StorageContext, type StorageDeps } from '../storage/context.js';
import { defaultNetworkDeps, NetworkContext, type NetworkDeps } from '../networks/context.js';
import { SecretContext } from '../secrets/context.js';
import { FileSecretStore, type SecretStore } from '../secrets/store.js';
import { ObjectEventBus } from '../objects/object-events.js';
import { defaultNodedevDeps, NodedevContext, type NodedevDeps } from '../nodedev/context.js';
import { releaseHostdevs } from '../nodedev/hostdevs.js';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface EngineDeps {
  readonly layout: InstanceLayout;
  readonly config: ConfigStore;
  readonly status: StatusStore;
  readonly loadDriver: HypervisorLoader;
  readonly nodeInfo: () => Promise<NodeInfo>;
  /** The host's topology, IOMMU and huge page pools under the daemon's host root (default: '/'). */
  readonly host?: HostReader;
  readonly hostname: () => string;
  readonly version: string;
  readonly now?: () => number;
  readonly log?: Logger;
  readonly prepare?: PrepareContext;
  /** Summaries of definitions, so that start-up need not parse them (default: none). */
  readonly summaries?: SummaryCache;
  /** Storage pools' stores and host adapters (default: files under the layout, the real mount tools). */
  readonly storage?: Omit<StorageDeps, 'log' | 'now'>;
  /** Virtual networks' stores and host adapters (default: files under the layout, the real ip, nft and dnsmasq). */
  readonly networks?: Omit<NetworkDeps, 'log' | 'now'>;
  /** Where persistent secrets live (default: files under layout.secretsDir). */
  readonly secrets?: SecretStore;
  /** Host PCI devices (sysfs) and the ip runner for SR-IOV VFs (default: the real ones under '/'). */
  readonly nodedevs?: NodedevDeps;
}

/** An error's message with its chain of causes, for the log. */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && depth < 5; depth++) {
    const m = c instanceof Error ? c.message : String(c);
    // Wrappers often quote their cause already.
    if (!parts.some((p) => p.includes(m))) parts.push(m);
    c = c instanceof Error ? c.cause : undefined;
  }
  return parts.join(': caused by: ');
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

const STOP_DETAIL: Record<StateReason<'shutoff'>, EventDetail<'stopped'>> = {
  unknown: 'failed', shutdown: 'shutdown', destroyed: 'destroyed', crashed: 'crashed', migrated: 'migrated',
  saved: 'saved', failed: 'failed', 'from-snapshot': 'from-snapshot', daemon: 'destroyed',
};

const PAUSE_DETAIL: Partial<Record<StateReason<'paused'>, EventDetail<'suspended'>>> = {
  ioerror: 'ioerror', watchdog: 'watchdog', 'api-error': 'api-error', migrating: 'migrated',
  'from-snapshot': 'from-snapshot', 'post-copy': 'post-copy', 'post-copy-failed': 'post-copy-failed',
};

export class EngineContext {
  readonly registry = new Registry();
  readonly locks: JobLocks;
  readonly events: EventBus;
  readonly consoles = new ConsoleManager();
  readonly storage: StorageContext;
  readonly networks: NetworkContext;
  readonly secrets: SecretContext;
  readonly nodedevs: NodedevContext;
  /** virtkit's own snapshot events (docs/api.md): the object is the snapshot, `uuid` its domain's. */
  readonly snapshotEvents: ObjectEventBus<'snapshot', 'created' | 'reverted' | 'deleted'>;
  /** The ends of block jobs (libvirt's BLOCK_JOB_2): the object is the disk (its target), `uuid` its domain's. */
  readonly blockJobEvents: ObjectEventBus<'block-job', 'completed' | 'failed' | 'canceled' | 'ready'>;
  readonly log: Logger;
  readonly now: () => number;
  /** The host's sysfs and procfs (deps.host, else '/'). */
  readonly host: HostReader;
  #driver: Promise<Hypervisor> | undefined;
  readonly #statusWrites = new StatusWrites<DomainRecord>();
  /** The live definition a change in flight gives a domain if it succeeds: what its status writes record meanwhile. */
  readonly #liveAhead = new WeakMap<DomainRecord, DomainDef>();
  #xml: Promise<typeof DomainXml> | undefined;
  #summaryTimer: NodeJS.Timeout | undefined;
  #summaryWrites: Promise<void> = Promise.resolve();

  constructor(readonly deps: EngineDeps) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? silent;
    this.host = deps.host ?? hostReader();
    this.locks = new JobLocks(this.now);
    this.events = new EventBus(this.now, (e, ev) => {
      this.log.error(`dropped an event subscriber that threw on ${ev.event}/${ev.detail} of domain '${ev.domain}': ${errorText(e)}`);
    });
    this.storage = new StorageContext({ ...(deps.storage ?? defaultStorageDeps(deps.layout, this.log)), log: this.log, now: this.now });
    this.networks = new NetworkContext({ ...(deps.networks ?? defaultNetworkDeps(deps.layout, this.log)), log: this.log, now: this.now });
    this.nodedevs = new NodedevContext(deps.nodedevs ?? defaultNodedevDeps());
    this.secrets = new SecretContext({ store: deps.secrets ?? new FileSecretStore(deps.layout.secretsDir), log: this.log, now: this.now });
    this.snapshotEvents = new ObjectEventBus('snapshot', this.now, (e, ev) => this.log.error(`dropped a snapshot event subscriber that threw on ${ev.event}: ${errorText(e)}`));
    this.blockJobEvents = new ObjectEventBus('block-job', this.now, (e, ev) => this.log.error(`dropped a block-job event subscriber that threw on ${ev.event}: ${errorText(e)}`));
    // Encrypted volumes get their keys from the secrets.
    this.storage.secrets = this.secrets;
  }

  /** The driver, loaded on first use; a failed load is retried next time. */
  driver(): Promise<Hypervisor> {
    this.#driver ??= this.deps.loadDriver().catch((e: unknown) => {
      this.#driver = undefined;
      throw e;
    });
    return this.#driver;
  }

  /**
   * The domain XML functions, loaded on first use: a daemon whose definitions
   * are all in the summary cache starts without loading the XML parser.
   */
  xml(): Promise<typeof DomainXml> {
    this.#xml ??= import('../domain-xml.js');
    return this.#xml;
  }

  /** The parsed persistent definition of `rec` (parsed once, on first need). */
  async defOf(rec: DomainRecord): Promise<DomainDef> {
    rec.def ??= (await this.xml()).parseDomain(rec.xml);
    return rec.def;
  }

  /** Rewrites the summary cache soon (coalescing bursts of defines into one write). */
  definitionsChanged(): void {
    if (this.#summaryTimer) return;
    this.#summaryTimer = setTimeout(() => void this.flushSummaries(), 100);
    this.#summaryTimer.unref();
  }

  flushSummaries(): Promise<void> {
    clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    const entries = new Map<string, CachedSummary>();
    for (const r of this.registry.all()) {
      if (r.persistent) entries.set(r.name, { hash: hashXml(r.xml), summary: r.summary });
    }
    this.#summaryWrites = this.#summaryWrites
      .then(() => (this.deps.summaries ?? noSummaryCache).save(entries))
      .catch((e: unknown) => this.log.warn(`cannot write the summary cache: ${(e as Error).message}`));
    return this.#summaryWrites;
  }

  /** Runs `fn` as the one job of domain `name` (see JobLock). */
  job<T>(name: string, job: string, opts: DispatchOptions, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(name, job, opts.wait ?? 0, fn);
  }

  view(rec: DomainRecord): DomainInfo {
    const s = rec.runtime?.liveSummary ?? rec.summary;
    return {
      name: rec.name,
      uuid: rec.uuid,
      id: rec.runtime?.id ?? null,
      state: rec.state.state,
      reason: rec.state.reason,
      persistent: rec.persistent,
      autostart: rec.autostart,
      type: s.type,
      osType: s.osType,
      vcpus: s.vcpus,
      maxMemoryKiB: s.maxMemoryKiB,
      currentMemoryKiB: s.currentMemoryKiB,
      title: s.title ?? null,
    };
  }

  /** Sets the state; emits `event` and persists the status only when the state changed. */
  setState(rec: DomainRecord, next: StateWithReason, event?: EventWithDetail): boolean {
    if (rec.state.state === next.state && rec.state.reason === next.reason) return false;
    rec.state = next;
    if (event) this.events.emit(rec, event);
    if (rec.runtime) void this.persistStatus(rec);
    return true;
  }

  /** Writes (or, once stopped, deletes) the status file; a failure is logged (see writeStatus). */
  persistStatus(rec: DomainRecord): Promise<void> {
    return this.writeStatus(rec).catch((e: unknown) => {
      this.log.error(`cannot record the status of domain '${rec.name}': ${errorText(e)}`);
    });
  }

  /**
   * Writes (or, once stopped, deletes) the status file and rejects when that fails, for
   * callers whose promise depends on it. Writes of one domain never overtake each other, and
   * requests made while one is in flight share the next write (status-writes.ts).
   */
  writeStatus(rec: DomainRecord): Promise<void> {
    return this.#statusWrites.write(rec, async () => {
      const status = await this.statusOf(rec);
      if (status) await this.deps.status.save(status);
      else await this.deps.status.delete(rec.name);
    });
  }

  /**
   * Writes the status file with `live` as the domain's live definition, ahead of the change in flight that
   * makes it so (the record keeps the old one until then), as does every write until statusBehind().
   */
  writeStatusAhead(rec: DomainRecord, live: DomainDef): Promise<void> {
    this.#liveAhead.set(rec, live);
    return this.writeStatus(rec);
  }

  /** The change is done or failed: status writes record the record's own live definition again. */
  statusBehind(rec: DomainRecord): void {
    this.#liveAhead.delete(rec);
  }

  async statusOf(rec: DomainRecord): Promise<DomainStatus | undefined> {
    const rt = rec.runtime;
    if (!rt) return undefined;
    const xml = (await this.xml()).formatDomain(this.#liveAhead.get(rec) ?? rt.liveDef);
    return {
      name: rec.name, uuid: rec.uuid, id: rt.id, pid: rt.pid, qmpSocket: rt.qmpSocket,
      startedAt: rt.startedAt.toISOString(), argv: rt.argv, aliases: rt.aliases,
      xml, persistent: rec.persistent, ...rec.state, ...(rt.placement === undefined ? {} : { placement: rt.placement }),
      ...(rt.commits === undefined || rt.commits.size === 0 ? {} : { blockCommits: Object.fromEntries(rt.commits) }),
    } as DomainStatus;
  }

  requireHandle(rec: DomainRecord): RunningDomain {
    const rt = rec.runtime;
    if (!rt) {
      throw new VirtkitError('OPERATION_INVALID', `domain '${rec.name}' is not running`, { details: { domain: rec.name } });
    }
    if (!rt.handle) {
      throw new VirtkitError(
        'OPERATION_INVALID',
        `domain '${rec.name}' is running but virtkitd is not connected to it (${rt.detachedWhy ?? 'unknown reason'})`,
        { details: { domain: rec.name, pid: rt.pid } },
      );
    }
    return rt.handle;
  }

  /** Follows what the driver reports about a running domain. */
  watch(rec: DomainRecord, handle: RunningDomain): void {
    handle.onEvent((e: DriverEvent) => {
      if (rec.runtime?.handle !== handle) return;
      switch (e.type) {
        case 'stopped':
          this.markStopped(rec, handle, rec.runtime.expectedStop ?? e.reason);
          return;
        case 'suspended':
          this.setState(rec, { state: 'paused', reason: e.reason }, { event: 'suspended', detail: PAUSE_DETAIL[e.reason] ?? 'paused' });
          return;
        case 'resumed':
          // libvirt: a wake-up is started/wakeup; every other resume (a restart after a crash or a
          // power-off included) is resumed/unpaused, while the state keeps the resume's own reason.
          this.setState(rec, { state: 'running', reason: e.reason },
            e.reason === 'wakeup' ? { event: 'started', detail: 'wakeup' } : { event: 'resumed', detail: 'unpaused' });
          return;
        case 'shutdown':
          this.setState(rec, { state: 'shutdown', reason: 'user' }, { event: 'shutdown', detail: e.by });
          return;
        case 'crashed':
          this.setState(rec, { state: 'crashed', reason: e.reason }, { event: 'crashed', detail: 'panicked' });
          return;
        case 'pmsuspended':
          this.setState(rec, { state: 'pmsuspended', reason: 'unknown' }, { event: 'pmsuspended', detail: e.to });
          return;
      }
    });
  }

  /** Records that the guest of `handle` is gone; idempotent. Transient domains disappear. */
  markStopped(rec: DomainRecord, handle: RunningDomain | undefined, reason: StateReason<'shutoff'>): void {
    if (!rec.runtime || rec.runtime.handle !== handle) return;
    const liveDef = rec.runtime.liveDef;
    rec.runtime = undefined;
    // Host PCI devices go back to their drivers (a domain without any reads nothing).
    void releaseHostdevs(this, rec.name, liveDef);
    this.consoles.close(rec.uuid, 'the domain stopped');
    rec.state = { state: 'shutoff', reason };
    this.events.emit(rec, { event: 'stopped', detail: STOP_DETAIL[reason] });
    void this.persistStatus(rec);
    if (!rec.persistent) this.registry.remove(rec);
  }
}
