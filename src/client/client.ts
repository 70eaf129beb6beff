/**
 * The typed client of virtkitd's API: the only way in for the CLI (and any
 * other front end). No I/O happens until the first call; for a session or
 * rooted instance, a first call that finds no daemon starts one.
 */
import { homedir } from 'node:os';
import { VirtkitError } from '../core/errors.js';
import { resolveEndpoint, type Endpoint, type EndpointInput } from './endpoint.js';
import type { SpawnOptions } from './spawn.js';
import { Transport, type Method, type TransportOptions } from './transport.js';
import type {
  ActionOptions, BlockInfo, CloneRequest, CloneResult, ChangeMediaRequest, DiskImpactOptions, DefineResult, PoolDefineResult, SecretDefineResult, SecretFilter, SecretInfo,
  PoolFilter, PoolInfo, VolumeInfo, DomainCapsQuery, DomainInfo, DomainStats, DomStats, HostInfo, HostNodeReport, PlacementReport, AllocPagesRequest, CpuBaselineRequest, CpuCompareRequest, CpuCompareResult, NodeStats, ImpactOptions, JobOptions,
  LifecycleAction, LifecycleEvent, ListFilter, ObjectEventKind, NativeArgv, TuningReport, TuningRequest, VcpuCountReport, VcpuReport,
  BlockCommitRequest, BlockCommitResult, BlockJobsReport, SnapshotCreateOptions, SnapshotInfo,
  DomainIfAddrList, NodedevBindResult, NodedevCap, NodedevEntry, NetworkDefineResult, NetworkFilter, NetworkInfo, NetworkLease, NetworkStartPlan, NetworkUpdateRequest,
  InstallRequest, InstallResult, OsinfoList,
} from './types.js';
import type { CloneProgress, ConsoleConnection, EventStream, ObjectEventStream, VolumeImportRequest } from './websocket.js';
import type { TransferOptions } from './volume-content.js';
import type { Readable } from 'node:stream';

export interface ConnectOptions {
  /** -c URI */
  readonly uri?: string | undefined;
  /** --root DIR */
  readonly root?: string | undefined;
  readonly env?: NodeJS.ProcessEnv;
  /** Start a daemon for session/rooted instances when none answers (default true). */
  readonly autoStart?: boolean;
  readonly spawn?: SpawnOptions;
  /** 'per-request' for a short-lived process (the CLI): a connection per request, without node:http (transport.ts). */
  readonly connections?: TransportOptions['connections'];
}

const seg = (s: string) => encodeURIComponent(s);
const dom = (ref: string) => `/v1/domains/${seg(ref)}`;
const impact = (o: ImpactOptions) => ({ ...(o.live ? { live: true } : {}), ...(o.config ? { config: true } : {}) });
const diskImpact = (o: DiskImpactOptions) => ({ ...impact(o), ...(o.persistent ? { persistent: true } : {}) });
const waitQuery = (o: JobOptions | undefined) => (o?.wait === undefined ? '' : `?wait=${o.wait}`);

export class VirtkitClient {
  readonly endpoint: Endpoint;
  readonly #transport: Transport;
  readonly #opts: ConnectOptions;
  #started: Promise<void> | undefined;

  constructor(opts: ConnectOptions = {}) {
    const env = opts.env ?? process.env;
    const input: EndpointInput = { uri: opts.uri, root: opts.root, env, home: homedir(), uid: process.getuid?.() ?? 1000 };
    this.endpoint = resolveEndpoint(input);
    this.#transport = new Transport(this.endpoint, opts.connections === undefined ? {} : { connections: opts.connections });
    this.#opts = opts;
  }

  get uri(): string {
    return this.endpoint.uri;
  }

  async #call<T>(method: Method, path: string, body?: unknown): Promise<T> {
    try {
      return await this.#transport.request<T>(method, path, body);
    } catch (e) {
      const ep = this.endpoint;
      if (!(e instanceof VirtkitError) || e.code !== 'DAEMON_UNREACHABLE' || ep.kind !== 'unix') throw e;
      // Only a daemon that is not there is started (and the request sent to it). A connection cut after the
      // request went out (ECONNRESET, EPIPE: the daemon died meanwhile) is not retried: it may have been done.
      const errno = (e.details as { errno?: string } | undefined)?.errno;
      if (errno !== undefined && errno !== 'ENOENT' && errno !== 'ECONNREFUSED') throw e;
      // Loaded only here: most calls find a daemon, and the CLI starts faster without child_process.
      const { notRunning, startDaemonFor } = await import('./spawn.js');
      if (ep.spawnArgs === undefined) throw notRunning(ep, e);
      if (this.#opts.autoStart === false) throw e;
      this.#started ??= startDaemonFor(ep, { ...this.#opts.spawn, ...(this.#opts.env ? { env: this.#opts.env } : {}) });
      await this.#started;
      return this.#transport.request<T>(method, path, body);
    }
  }

  async listDomains(filter: ListFilter = {}): Promise<DomainInfo[]> {
    const q = new URLSearchParams();
    if (filter.states !== undefined) q.set('state', filter.states.join(','));
    for (const k of ['active', 'persistent', 'autostart'] as const) {
      const v = filter[k];
      if (v !== undefined) q.set(k, String(v));
    }
    const qs = q.toString();
    return (await this.#call<{ domains: DomainInfo[] }>('GET', `/v1/domains${qs === '' ? '' : `?${qs}`}`)).domains;
  }

  defineDomain(xml: string, opts?: JobOptions): Promise<DefineResult> {
    return this.#call('POST', `/v1/domains${waitQuery(opts)}`, { xml });
  }

  createDomain(xml: string, opts: { paused?: boolean } & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `/v1/actions/create${waitQuery(opts)}`, { xml, ...(opts.paused ? { paused: true } : {}) });
  }

  /** virtkit clone of a defined, shut-off domain; `originalXml` clones a domain given as XML instead (virt-clone --original-xml). */
  async cloneDomain(ref: string | { originalXml: string }, req: CloneRequest,
    opts: { onProgress?: (p: CloneProgress) => void } & JobOptions = {}): Promise<CloneResult> {
    if (typeof ref === 'string' && opts.onProgress !== undefined) {
      // The WebSocket form: each disk copy's progress (the module loads only here).
      const { openClone } = await import('./websocket.js');
      return openClone(this.#transport, ref, req, opts.onProgress, opts.wait);
    }
    if (typeof ref === 'string') return this.#call('POST', `${dom(ref)}/actions/clone${waitQuery(opts)}`, req);
    return this.#call('POST', `/v1/actions/clone${waitQuery(opts)}`, { ...req, originalXml: ref.originalXml });
  }

  getDomain(ref: string): Promise<DomainInfo> {
    return this.#call('GET', dom(ref));
  }

  undefineDomain(ref: string, opts?: JobOptions & { snapshotsMetadata?: boolean }): Promise<DomainInfo> {
    const q = [...(opts?.wait === undefined ? [] : [`wait=${opts.wait}`]), ...(opts?.snapshotsMetadata === true ? ['snapshotsMetadata=true'] : [])];
    return this.#call('DELETE', `${dom(ref)}${q.length === 0 ? '' : `?${q.join('&')}`}`);
  }

  async domainXml(ref: string, opts: { inactive?: boolean } = {}): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `${dom(ref)}/xml${opts.inactive ? '?inactive=true' : ''}`)).xml;
  }

  setAutostart(ref: string, enabled: boolean, opts?: JobOptions): Promise<DomainInfo> {
    return this.#call('PUT', `${dom(ref)}/autostart${waitQuery(opts)}`, { enabled });
  }

  action<A extends LifecycleAction>(ref: string, action: A, options: ActionOptions[A], opts?: JobOptions): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/${action}${waitQuery(opts)}`, options);
  }

  setMemory(ref: string, kib: number, opts: ImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('PUT', `${dom(ref)}/memory${waitQuery(opts)}`, { kib, ...impact(opts) });
  }

  setMaxMemory(ref: string, kib: number, opts: ImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('PUT', `${dom(ref)}/max-memory${waitQuery(opts)}`, { kib, ...impact(opts) });
  }

  setVcpus(ref: string, count: number, opts: ImpactOptions & { maximum?: boolean } & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('PUT', `${dom(ref)}/vcpus${waitQuery(opts)}`, { count, ...impact(opts), ...(opts.maximum ? { maximum: true } : {}) });
  }

  domStats(ref: string): Promise<DomStats> {
    return this.#call('GET', `${dom(ref)}/domstats`);
  }

  vcpuInfo(ref: string): Promise<VcpuReport> {
    return this.#call('GET', `${dom(ref)}/vcpuinfo`);
  }

  /** vcpupin, emulatorpin, iothreadinfo, schedinfo and numatune read this (docs/tuning.md). */
  tuning(ref: string, opts: { config?: boolean } = {}): Promise<TuningReport> {
    return this.#call('GET', `${dom(ref)}/tuning${opts.config ? '?config=true' : ''}`);
  }

  setTuning(ref: string, change: TuningRequest['change'], opts: ImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/tune${waitQuery(opts)}`, { change, ...impact(opts) });
  }

  vcpuCount(ref: string): Promise<VcpuCountReport> {
    return this.#call('GET', `${dom(ref)}/vcpucount`);
  }

  /** The QEMU command line the daemon would run for `xml`. */
  domxmlToNative(xml: string): Promise<NativeArgv> {
    return this.#call('POST', '/v1/domxml-to-native', { format: 'qemu-argv', xml });
  }

  async capabilities(): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', '/v1/capabilities')).xml;
  }

  async domainCapabilities(q: DomainCapsQuery = {}): Promise<string> {
    const p = new URLSearchParams();
    for (const k of ['emulator', 'arch', 'machine', 'virttype'] as const) {
      const v = q[k];
      if (v !== undefined) p.set(k, v);
    }
    const qs = p.toString();
    return (await this.#call<{ xml: string }>('GET', `/v1/domcapabilities${qs === '' ? '' : `?${qs}`}`)).xml;
  }

  stats(ref: string): Promise<DomainStats> {
    return this.#call('GET', `${dom(ref)}/stats`);
  }

  host(): Promise<HostInfo> {
    return this.#call('GET', '/v1/host');
  }

  /** The host's NUMA cells, CPUs and page pools (freecell, freepages, nodecpumap). */
  hostTopology(): Promise<HostNodeReport> {
    return this.#call('GET', '/v1/host/topology');
  }

  /** What domains placed automatically hold on the host (virtkit placement). */
  placement(): Promise<PlacementReport> {
    return this.#call('GET', '/v1/placement');
  }

  /** Compares the first <cpu> of `xml` with the host CPU or the hypervisor's (cpu-compare, hypervisor-cpu-compare). */
  cpuCompare(req: CpuCompareRequest): Promise<CpuCompareResult> {
    return this.#call('POST', '/v1/host/actions/cpu-compare', req);
  }

  /** The baseline <cpu> of the <cpu>s in `xml` (cpu-baseline, hypervisor-cpu-baseline). */
  async cpuBaseline(req: CpuBaselineRequest): Promise<string> {
    return (await this.#call<{ xml: string }>('POST', '/v1/host/actions/cpu-baseline', req)).xml;
  }

  /** CPU model names for guests of `arch` (virsh cpu-models). */
  async cpuModels(arch: string): Promise<string[]> {
    return (await this.#call<{ models: string[] }>('GET', `/v1/cpu-models?arch=${encodeURIComponent(arch)}`)).models;
  }

  /** libvirt's host sysinfo XML (virsh sysinfo). */
  async sysinfo(): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', '/v1/host/sysinfo')).xml;
  }

  /** nodememstats: the host's memory counters, or one NUMA cell's. */
  memoryStats(cell?: number): Promise<NodeStats> {
    return this.#call('GET', `/v1/host/memory-stats${cell === undefined ? '' : `?cell=${cell}`}`);
  }

  /** nodecpustats: the host's CPU time counters, or one CPU's. */
  cpuStats(cpu?: number): Promise<NodeStats> {
    return this.#call('GET', `/v1/host/cpu-stats${cpu === undefined ? '' : `?cpu=${cpu}`}`);
  }

  /** Sizes a huge page pool (allocpages); the report after the change. */
  allocPages(r: AllocPagesRequest): Promise<HostNodeReport> {
    return this.#call('POST', '/v1/host/actions/allocpages', r);
  }

  /** The lifecycle event stream (loads the WebSocket library on first use). */
  async events(opts: { domain?: string } = {}): Promise<EventStream> {
    // A plain request first: it starts a daemon when none runs, and refuses an unknown domain.
    if (opts.domain === undefined) await this.listDomains({ active: true });
    else await this.getDomain(opts.domain);
    const { openEvents } = await import('./websocket.js');
    return openEvents(this.#transport, opts.domain);
  }

  /** Pool, secret or snapshot events; a filter's object must exist (else its NOT_FOUND error). */
  async objectEvents(kind: ObjectEventKind, filter: { domain?: string; network?: string; pool?: string; secret?: string } = {}): Promise<ObjectEventStream> {
    await this.listDomains({ active: true }); // a plain request first, as events(): it starts a daemon when none runs
    const { openObjectEvents } = await import('./websocket.js');
    return openObjectEvents(this.#transport, kind, filter);
  }

  /** The serial console of a running domain; `force` takes it over from another session. */
  async console(ref: string, opts: { force?: boolean } = {}): Promise<ConsoleConnection> {
    await this.getDomain(ref);
    const { openConsole } = await import('./websocket.js');
    return openConsole(this.#transport, ref, opts.force ?? false);
  }

  // Disks of a domain (virsh attach-device, detach-disk, change-media, blockresize, domblkinfo).

  attachDevice(ref: string, xml: string, opts: DiskImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/devices${waitQuery(opts)}`, { xml, ...diskImpact(opts) });
  }

  detachDevice(ref: string, xml: string, opts: DiskImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/detach-device${waitQuery(opts)}`, { xml, ...diskImpact(opts) });
  }

  /** `disk` is a target (vdb) or a source path. */
  detachDisk(ref: string, disk: string, opts: DiskImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/detach-disk${waitQuery(opts)}`, { disk, ...diskImpact(opts) });
  }

  changeMedia(ref: string, disk: string, req: ChangeMediaRequest, opts: DiskImpactOptions & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/change-media${waitQuery(opts)}`, { disk, ...req, ...diskImpact(opts) });
  }

  blockResize(ref: string, disk: string, bytes: number, opts?: JobOptions): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/blockresize${waitQuery(opts)}`, { disk, bytes });
  }

  /** virsh domif-setlink: `iface` is a MAC, a host tap (target dev) or an alias. */
  setInterfaceLink(ref: string, iface: string, state: 'up' | 'down', opts: { config?: boolean } & JobOptions = {}): Promise<DomainInfo> {
    return this.#call('POST', `${dom(ref)}/actions/domif-setlink${waitQuery(opts)}`, { interface: iface, state, ...(opts.config === true ? { config: true } : {}) });
  }

  blockInfo(ref: string, disk: string): Promise<BlockInfo> {
    return this.#call('GET', `${dom(ref)}/disks/${seg(disk)}/info`);
  }

  // Virtual networks. `network` is a name or UUID; `default` is defined on first use.

  async listNetworks(f: NetworkFilter = {}): Promise<NetworkInfo[]> {
    const q = new URLSearchParams();
    for (const k of ['active', 'persistent', 'autostart'] as const) if (f[k] !== undefined) q.set(k, String(f[k]));
    const qs = q.toString();
    return (await this.#call<{ networks: NetworkInfo[] }>('GET', `/v1/networks${qs === '' ? '' : `?${qs}`}`)).networks;
  }

  getNetwork(network: string): Promise<NetworkInfo> {
    return this.#call('GET', `/v1/networks/${seg(network)}`);
  }

  defineNetwork(xml: string, opts?: JobOptions): Promise<NetworkDefineResult> {
    return this.#call('POST', `/v1/networks${waitQuery(opts)}`, { xml });
  }

  createNetwork(xml: string, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('POST', `/v1/actions/net-create${waitQuery(opts)}`, { xml });
  }

  undefineNetwork(network: string, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('DELETE', `/v1/networks/${seg(network)}${waitQuery(opts)}`);
  }

  networkAction(network: string, action: 'start' | 'destroy', opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('POST', `/v1/networks/${seg(network)}/actions/${action}${waitQuery(opts)}`, {});
  }

  /** What net-start would do, without doing it. */
  networkStartPlan(network: string): Promise<NetworkStartPlan> {
    return this.#call('GET', `/v1/networks/${seg(network)}/start-plan`);
  }

  setNetworkAutostart(network: string, enabled: boolean, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('PUT', `/v1/networks/${seg(network)}/autostart${waitQuery(opts)}`, { enabled });
  }

  linkNetwork(network: string, peer: string, dev?: string, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('POST', `/v1/networks/${seg(network)}/actions/link${waitQuery(opts)}`, { peer, ...(dev === undefined ? {} : { dev }) });
  }

  unlinkNetwork(network: string, dev: string, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('POST', `/v1/networks/${seg(network)}/actions/unlink${waitQuery(opts)}`, { dev });
  }

  async networkXml(network: string, opts: { inactive?: boolean } = {}): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `/v1/networks/${seg(network)}/xml${opts.inactive ? '?inactive=true' : ''}`)).xml;
  }

  updateNetwork(network: string, update: NetworkUpdateRequest, opts?: JobOptions): Promise<NetworkInfo> {
    return this.#call('POST', `/v1/networks/${seg(network)}/actions/update${waitQuery(opts)}`, update);
  }

  async networkLeases(network: string, mac?: string): Promise<NetworkLease[]> {
    const qs = mac === undefined ? '' : `?mac=${encodeURIComponent(mac)}`;
    return (await this.#call<{ leases: NetworkLease[] }>('GET', `/v1/networks/${seg(network)}/leases${qs}`)).leases;
  }

  /** domifaddr: a running domain's interface addresses (from its networks' leases). */
  async domainIfAddr(ref: string, opts: { iface?: string; source?: string } = {}): Promise<DomainIfAddrList['interfaces']> {
    const q = new URLSearchParams();
    if (opts.iface !== undefined) q.set('interface', opts.iface);
    if (opts.source !== undefined) q.set('source', opts.source);
    const qs = q.toString();
    return (await this.#call<DomainIfAddrList>('GET', `${dom(ref)}/interface-addresses${qs === '' ? '' : `?${qs}`}`)).interfaces;
  }

  /** qemu-agent-command: one command for the running domain's guest agent; resolves its `return` (null when it has none). */
  async agentCommand(ref: string, command: { execute: string; arguments?: Record<string, unknown> }, opts: { timeoutSeconds?: number } = {}): Promise<unknown> {
    return (await this.#call<{ return: unknown }>('POST', `${dom(ref)}/agent-command`, { command, ...opts })).return;
  }

  // Storage pools and volumes. `pool` is a name or UUID; `default` is made on first use.

  async listPools(f: PoolFilter = {}): Promise<PoolInfo[]> {
    const q = new URLSearchParams();
    for (const k of ['active', 'persistent', 'autostart'] as const) if (f[k] !== undefined) q.set(k, String(f[k]));
    if (f.types !== undefined) q.set('type', f.types.join(','));
    const qs = q.toString();
    return (await this.#call<{ pools: PoolInfo[] }>('GET', `/v1/pools${qs === '' ? '' : `?${qs}`}`)).pools;
  }

  getPool(pool: string): Promise<PoolInfo> {
    return this.#call('GET', `/v1/pools/${seg(pool)}`);
  }

  definePool(xml: string, opts?: JobOptions): Promise<PoolDefineResult> {
    return this.#call('POST', `/v1/pools${waitQuery(opts)}`, { xml });
  }

  createPool(xml: string, opts: { build?: boolean } & JobOptions = {}): Promise<PoolInfo> {
    return this.#call('POST', `/v1/actions/pool-create${waitQuery(opts)}`, { xml, ...(opts.build ? { build: true } : {}) });
  }

  undefinePool(pool: string, opts?: JobOptions): Promise<PoolInfo> {
    return this.#call('DELETE', `/v1/pools/${seg(pool)}${waitQuery(opts)}`);
  }

  startPool(pool: string, opts: { build?: boolean } & JobOptions = {}): Promise<PoolInfo> {
    return this.#call('POST', `/v1/pools/${seg(pool)}/actions/start${waitQuery(opts)}`, opts.build ? { build: true } : {});
  }

  poolAction(pool: string, action: 'build' | 'destroy' | 'delete' | 'refresh', opts?: JobOptions): Promise<PoolInfo> {
    return this.#call('POST', `/v1/pools/${seg(pool)}/actions/${action}${waitQuery(opts)}`, {});
  }

  setPoolAutostart(pool: string, enabled: boolean, opts?: JobOptions): Promise<PoolInfo> {
    return this.#call('PUT', `/v1/pools/${seg(pool)}/autostart${waitQuery(opts)}`, { enabled });
  }

  async poolXml(pool: string, opts: { inactive?: boolean } = {}): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `/v1/pools/${seg(pool)}/xml${opts.inactive ? '?inactive=true' : ''}`)).xml;
  }

  async listVolumes(pool: string): Promise<VolumeInfo[]> {
    return (await this.#call<{ volumes: VolumeInfo[] }>('GET', `/v1/pools/${seg(pool)}/volumes`)).volumes;
  }

  getVolume(pool: string, vol: string): Promise<VolumeInfo> {
    return this.#call('GET', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}`);
  }

  /** A volume by key or path, in any active pool. */
  findVolume(keyOrPath: string): Promise<VolumeInfo> {
    return this.#call('GET', `/v1/volumes?key=${seg(keyOrPath)}`);
  }

  createVolume(pool: string, xml: string, opts: { preallocMetadata?: boolean } & JobOptions = {}): Promise<VolumeInfo> {
    return this.#call('POST', `/v1/pools/${seg(pool)}/volumes${waitQuery(opts)}`, { xml, ...(opts.preallocMetadata ? { preallocMetadata: true } : {}) });
  }

  deleteVolume(pool: string, vol: string, opts?: JobOptions): Promise<VolumeInfo> {
    return this.#call('DELETE', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}${waitQuery(opts)}`);
  }

  async volumeXml(pool: string, vol: string): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}/xml`)).xml;
  }

  // Volume copies, clones, resizes, wipes, imports; the pool capabilities XML.

  /** `onProgress` (WebSocket) gets whole percentages of the copy. */
  async createVolumeFrom(pool: string, xml: string, input: { pool: string; volume: string },
    opts: { preallocMetadata?: boolean; onProgress?: (percent: number) => void } & JobOptions = {}): Promise<VolumeInfo> {
    const body = { xml, inputPool: input.pool, inputVolume: input.volume, ...(opts.preallocMetadata ? { preallocMetadata: true } : {}) };
    if (opts.onProgress === undefined) return this.#call('POST', `/v1/pools/${seg(pool)}/actions/volume-create-from${waitQuery(opts)}`, body);
    await this.getPool(pool);
    const { openVolumeJob } = await import('./websocket.js');
    return openVolumeJob(this.#transport, `/v1/pools/${seg(pool)}/volume-create-from`, body, opts.onProgress, opts.wait, 'copy');
  }

  /** `onProgress` (WebSocket) gets whole percentages of a full copy (a linked clone has none). */
  async cloneVolume(pool: string, vol: string, name: string,
    opts: { linked?: boolean; preallocMetadata?: boolean; onProgress?: (percent: number) => void } & JobOptions = {}): Promise<VolumeInfo> {
    const body = { name, ...(opts.linked ? { linked: true } : {}), ...(opts.preallocMetadata ? { preallocMetadata: true } : {}) };
    if (opts.onProgress === undefined) return this.#call('POST', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}/actions/clone${waitQuery(opts)}`, body);
    await this.getPool(pool);
    const { openVolumeJob } = await import('./websocket.js');
    return openVolumeJob(this.#transport, `/v1/pools/${seg(pool)}/volumes/${seg(vol)}/clone`, body, opts.onProgress, opts.wait, 'copy');
  }

  resizeVolume(pool: string, vol: string, capacity: number, opts: { allocate?: boolean; delta?: boolean; shrink?: boolean } & JobOptions = {}): Promise<VolumeInfo> {
    const flags = Object.fromEntries((['allocate', 'delta', 'shrink'] as const).filter((k) => opts[k] === true).map((k) => [k, true]));
    return this.#call('POST', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}/actions/resize${waitQuery(opts)}`, { capacity, ...flags });
  }

  wipeVolume(pool: string, vol: string, opts: { algorithm?: string } & JobOptions = {}): Promise<VolumeInfo> {
    return this.#call('POST', `/v1/pools/${seg(pool)}/volumes/${seg(vol)}/actions/wipe${waitQuery(opts)}`, opts.algorithm === undefined ? {} : { algorithm: opts.algorithm });
  }

  /** Converts an image file on the daemon's host into the pool; `onProgress` (WebSocket) gets whole percentages. */
  async importVolume(pool: string, req: VolumeImportRequest, opts: { onProgress?: (percent: number) => void } & JobOptions = {}): Promise<VolumeInfo> {
    if (opts.onProgress === undefined) return this.#call('POST', `/v1/pools/${seg(pool)}/actions/volume-import${waitQuery(opts)}`, req);
    await this.getPool(pool);
    const { openImport } = await import('./websocket.js');
    return openImport(this.#transport, pool, req, opts.onProgress, opts.wait);
  }

  async poolCapabilities(): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', '/v1/pool-capabilities')).xml;
  }

  /** vol-upload: `file` (or its first `length` bytes) into the volume's file at `offset`; resolves once fsync'ed by the daemon. */
  async uploadVolume(pool: string, vol: string, file: string, opts: TransferOptions = {}): Promise<VolumeInfo> {
    const { uploadFile } = await import('./volume-content.js');
    return uploadFile(this.#transport, pool, vol, file, opts);
  }

  /** vol-upload from any stream carrying exactly `length` bytes. */
  async uploadVolumeStream(pool: string, vol: string, source: Readable, length: number, opts: TransferOptions = {}): Promise<VolumeInfo> {
    const { uploadStream } = await import('./volume-content.js');
    return uploadStream(this.#transport, pool, vol, source, length, opts);
  }

  /** vol-download into `file` (created or truncated, fsync'ed); the number of bytes. */
  async downloadVolume(pool: string, vol: string, file: string, opts: TransferOptions = {}): Promise<number> {
    const { downloadFile } = await import('./volume-content.js');
    return downloadFile(this.#transport, pool, vol, file, opts);
  }

  // Secrets, by UUID. A value travels base64 in a request or answer body, never in a URL.

  async listSecrets(f: SecretFilter = {}): Promise<SecretInfo[]> {
    const q = new URLSearchParams();
    if (f.ephemeral !== undefined) q.set('ephemeral', String(f.ephemeral));
    if (f.private !== undefined) q.set('private', String(f.private));
    const qs = q.toString();
    return (await this.#call<{ secrets: SecretInfo[] }>('GET', `/v1/secrets${qs === '' ? '' : `?${qs}`}`)).secrets;
  }

  getSecret(uuid: string): Promise<SecretInfo> {
    return this.#call('GET', `/v1/secrets/${seg(uuid)}`);
  }

  defineSecret(xml: string, opts?: JobOptions): Promise<SecretDefineResult> {
    return this.#call('POST', `/v1/secrets${waitQuery(opts)}`, { xml });
  }

  undefineSecret(uuid: string, opts?: JobOptions): Promise<SecretInfo> {
    return this.#call('DELETE', `/v1/secrets/${seg(uuid)}${waitQuery(opts)}`);
  }

  // Host devices (nodedev-*): `name` is pci_0000_03_00_0 (or net_...), or a PCI address.
  async listNodedevs(caps?: readonly NodedevCap[]): Promise<NodedevEntry[]> {
    const q = caps === undefined || caps.length === 0 ? '' : `?cap=${caps.join(',')}`;
    return (await this.#call<{ devices: NodedevEntry[] }>('GET', `/v1/nodedevs${q}`)).devices;
  }

  async nodedevXml(name: string): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `/v1/nodedevs/${seg(name)}/xml`)).xml;
  }

  nodedevAction(name: string, action: 'detach' | 'reattach' | 'reset'): Promise<NodedevBindResult> {
    return this.#call('POST', `/v1/nodedevs/${seg(name)}/${action}`);
  }

  async secretXml(uuid: string): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `/v1/secrets/${seg(uuid)}/xml`)).xml;
  }

  /** `base64`: the value's bytes, base64-encoded. */
  setSecretValue(uuid: string, base64: string, opts?: JobOptions): Promise<SecretInfo> {
    return this.#call('PUT', `/v1/secrets/${seg(uuid)}/value${waitQuery(opts)}`, { value: base64 });
  }

  /** The value, base64-encoded. */
  async getSecretValue(uuid: string): Promise<string> {
    return (await this.#call<{ value: string }>('GET', `/v1/secrets/${seg(uuid)}/value`)).value;
  }

  // Domain snapshots and block jobs. `disk` is a target (vda).
  async listSnapshots(domain: string): Promise<SnapshotInfo[]> {
    return (await this.#call<{ snapshots: SnapshotInfo[] }>('GET', `${dom(domain)}/snapshots`)).snapshots;
  }

  async createSnapshot(domain: string, o: SnapshotCreateOptions = {}, opts?: JobOptions): Promise<SnapshotInfo | null> {
    return (await this.#call<{ snapshot: SnapshotInfo | null }>('POST', `${dom(domain)}/snapshots${waitQuery(opts)}`, o)).snapshot;
  }

  async currentSnapshot(domain: string): Promise<SnapshotInfo | null> {
    return (await this.#call<{ snapshot: SnapshotInfo | null }>('GET', `${dom(domain)}/current-snapshot`)).snapshot;
  }

  getSnapshot(domain: string, snap: string): Promise<SnapshotInfo> {
    return this.#call('GET', `${dom(domain)}/snapshots/${seg(snap)}`);
  }

  async snapshotXml(domain: string, snap: string): Promise<string> {
    return (await this.#call<{ xml: string }>('GET', `${dom(domain)}/snapshots/${seg(snap)}/xml`)).xml;
  }

  revertSnapshot(domain: string, snap: string, o: { running?: boolean; paused?: boolean } = {}, opts?: JobOptions): Promise<SnapshotInfo> {
    return this.#call('POST', `${dom(domain)}/snapshots/${seg(snap)}/actions/revert${waitQuery(opts)}`, o);
  }

  deleteSnapshot(domain: string, snap: string, o: { metadata?: boolean; children?: boolean; childrenOnly?: boolean } = {}): Promise<SnapshotInfo> {
    const q = (['metadata', 'children', 'childrenOnly'] as const).filter((k) => o[k] === true).map((k) => `${k}=true`);
    return this.#call('DELETE', `${dom(domain)}/snapshots/${seg(snap)}${q.length === 0 ? '' : `?${q.join('&')}`}`);
  }

  /** virsh blockcommit's options (`bandwidth`: bytes per second); answers when the commit has ended. */
  blockCommit(domain: string, disk: string, o: BlockCommitRequest = {}, opts?: JobOptions): Promise<BlockCommitResult> {
    return this.#call('POST', `${dom(domain)}/disks/${seg(disk)}/actions/blockcommit${waitQuery(opts)}`, o);
  }

  async blockPull(domain: string, disk: string, o: { bandwidth?: number; background?: boolean } = {}, opts?: JobOptions): Promise<void> {
    await this.#call('POST', `${dom(domain)}/disks/${seg(disk)}/actions/blockpull${waitQuery(opts)}`, o);
  }

  blockJobs(domain: string, disk: string): Promise<BlockJobsReport> {
    return this.#call('GET', `${dom(domain)}/disks/${seg(disk)}/jobs`);
  }

  abortBlockJobs(domain: string, disk: string): Promise<BlockJobsReport> {
    return this.#call('POST', `${dom(domain)}/disks/${seg(disk)}/actions/blockjob-abort`, {});
  }

  /** virsh blockjob --pivot: completes the disk's ready active commit. */
  pivotBlockJob(domain: string, disk: string, opts?: JobOptions): Promise<BlockJobsReport> {
    return this.#call('POST', `${dom(domain)}/disks/${seg(disk)}/actions/blockjob-pivot${waitQuery(opts)}`, {});
  }

  /** virtkit install: the parsed command line in; the plan, and unless it was a dry run what the install made. */
  install(req: InstallRequest): Promise<InstallResult> {
    return this.#call('POST', '/v1/install', req);
  }

  /** virtkit install --osinfo list, virtkit osinfo-query os: the host's OS database, in virt-install's order. */
  osinfoList(): Promise<OsinfoList> {
    return this.#call('GET', '/v1/osinfo');
  }

  close(): void {
    this.#transport.close();
  }
}

export type { LifecycleEvent };
