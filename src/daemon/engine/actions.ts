/**
 * The daemon's whole surface as one typed list of actions (as Firecracker's
 * rpc_interface.rs). The HTTP layer parses a request into an Action and calls
 * `dispatch`; tests call `dispatch` directly. Adding an action means adding it
 * to the union, to ActionResults and to the handler table below; the
 * compiler checks that all three agree.
 */
import type { Duplex } from 'node:stream';
import type { NodeInfo } from '../../host/nodeinfo.js';
import type { BlockInfo, DomainCapsQuery, DomainStats, HypervisorVersion, NativeArgv, ShutdownMode } from '../driver.js';
import type { DomainState, StateReason } from '../state.js';
import { agentHandlers, type AgentAction, type AgentResults } from '../agent/actions.js';
import { installHandlers, type InstallAction, type InstallResults, type OsinfoListAction } from '../install/actions.js';
import { networkHandlers, type NetworkAction, type NetworkResults } from '../networks/actions.js';
import { nodeHandlers, type NodeAction, type NodeResults } from '../node/actions.js';
import { nodedevHandlers, type NodedevAction, type NodedevResults } from '../nodedev/actions.js';
import { secretHandlers, type SecretAction, type SecretResults } from '../secrets/actions.js';
import { snapshotHandlers, type SnapshotAction, type SnapshotResults } from '../snapshots/actions.js';
import { storageHandlers, type StorageAction, type StorageResults } from '../storage/actions.js';
import type { EngineContext } from './context.js';
import { defineDomain, setAutostart, undefineDomain } from './config-ops.js';
import { setMaxMemory, setMemory, setVcpus } from './domain-config.js';
import { blockInfo, blockResize, changeMedia, detachDisk, type DiskImpact } from './disk-ops.js';
import { attachDeviceXml, detachDeviceXml, ifSetLink } from './iface-ops.js';
import { capabilities, domainCapabilities, domxmlToNative } from './host-queries.js';
import { cloneDomain, type CloneOptions, type CloneResult, type CopyProgress } from './clone.js';
import {
  createDomain, destroyDomain, rebootDomain, resetDomain, resumeDomain, shutdownDomain, startDomain, suspendDomain,
} from './lifecycle.js';
import { domainStatsReport, vcpuCountReport, vcpuInfoReport } from './stats-queries.js';
import type { DomStats, VcpuCountReport, VcpuReport } from './stats-queries.js';
import { setTuning, tuningReport } from './tuning-ops.js';
import type { TuningChange, TuningReport } from './tuning-ops.js';
import { dumpXml, getDomain, hostInfo, listDomains, openConsole, domainStats } from './queries.js';

/** virsh list's --state-* groups; 'other' is every state but running, paused and shut off. */
export type StateGroup = 'running' | 'paused' | 'shutoff' | 'other';

export interface ListFilter {
  /** Any of these groups; all when absent. */
  readonly states?: readonly StateGroup[];
  /** Only active (true) or inactive (false) domains; both when absent. */
  readonly active?: boolean;
  readonly persistent?: boolean;
  readonly autostart?: boolean;
}

export interface DomainInfo {
  readonly name: string;
  readonly uuid: string;
  /** Runtime id while active, null when shut off. */
  readonly id: number | null;
  readonly state: DomainState;
  readonly reason: StateReason;
  readonly persistent: boolean;
  readonly autostart: boolean;
  readonly type: string;
  readonly osType: string;
  readonly vcpus: number;
  readonly maxMemoryKiB: number;
  readonly currentMemoryKiB: number;
  readonly title: string | null;
}

export interface HostInfo {
  readonly hostname: string;
  readonly version: string;
  readonly uri: string;
  /** Null when the driver cannot tell (or no driver is plugged in). */
  readonly hypervisor: HypervisorVersion | null;
  readonly node: NodeInfo;
}

export interface ConsoleSession {
  readonly stream: Duplex;
  /** Called with a reason when another session takes the console over (force). */
  onTakenOver(listener: (reason: string) => void): void;
  close(): void;
}

type Ref = { readonly name: string };
/** virsh's --live / --config; neither means the domain's current state. */
type Impact = { readonly live?: boolean; readonly config?: boolean };

export type Action =
  | { readonly kind: 'define'; readonly xml: string }
  | ({ readonly kind: 'undefine'; readonly snapshotsMetadata?: boolean } & Ref)
  | { readonly kind: 'create'; readonly xml: string; readonly paused?: boolean }
  | ({ readonly kind: 'start'; readonly paused?: boolean } & Ref)
  | ({ readonly kind: 'shutdown'; readonly mode?: ShutdownMode } & Ref)
  | ({ readonly kind: 'reboot'; readonly mode?: ShutdownMode } & Ref)
  | ({ readonly kind: 'reset' } & Ref)
  | ({ readonly kind: 'destroy'; readonly graceful?: boolean } & Ref)
  | ({ readonly kind: 'suspend' } & Ref)
  | ({ readonly kind: 'resume' } & Ref)
  | ({ readonly kind: 'setAutostart'; readonly enabled: boolean } & Ref)
  | ({ readonly kind: 'setMemory'; readonly kib: number } & Impact & Ref)
  | ({ readonly kind: 'setMaxMemory'; readonly kib: number } & Impact & Ref)
  | ({ readonly kind: 'setVcpus'; readonly count: number; readonly maximum?: boolean } & Impact & Ref)
  | ({ readonly kind: 'setTuning'; readonly change: TuningChange } & Impact & Ref)
  // Queries: never wait behind a job.
  | { readonly kind: 'list'; readonly filter: ListFilter }
  | ({ readonly kind: 'get' } & Ref)
  | ({ readonly kind: 'dumpxml'; readonly inactive?: boolean } & Ref)
  | ({ readonly kind: 'stats' } & Ref)
  | ({ readonly kind: 'domstats' } & Ref)
  | ({ readonly kind: 'vcpuinfo' } & Ref)
  | ({ readonly kind: 'vcpucount' } & Ref)
  | ({ readonly kind: 'tuning'; readonly config?: boolean } & Ref)
  | { readonly kind: 'host' }
  | { readonly kind: 'domxmlToNative'; readonly format: 'qemu-argv'; readonly xml: string }
  | { readonly kind: 'capabilities' }
  | { readonly kind: 'domcapabilities'; readonly query: DomainCapsQuery }
  | ({ readonly kind: 'console'; readonly force?: boolean } & Ref)
  // Disks of a domain (disk-ops.ts).
  | ({ readonly kind: 'attachDevice'; readonly xml: string } & DiskImpact & Ref)
  | ({ readonly kind: 'detachDevice'; readonly xml: string } & DiskImpact & Ref)
  | ({ readonly kind: 'detachDisk'; readonly disk: string } & DiskImpact & Ref)
  | ({ readonly kind: 'ifSetLink'; readonly iface: string; readonly state: 'up' | 'down'; readonly config?: boolean } & Ref)
  | ({ readonly kind: 'blockResize'; readonly disk: string; readonly bytes: number } & Ref)
  | ({
    readonly kind: 'changeMedia'; readonly disk: string; readonly mode: 'eject' | 'insert' | 'update';
    readonly source?: string; readonly block?: boolean; readonly force?: boolean;
  } & DiskImpact & Ref)
  | ({ readonly kind: 'blockInfo'; readonly disk: string } & Ref)
  // virtkit clone (clone.ts): the original by name, or its XML.
  | ({
    readonly kind: 'clone'; readonly name?: string; readonly originalXml?: string;
    /** Each disk copy's start (0) and qemu-img's percentages. */
    readonly onProgress?: (p: CopyProgress) => void;
  } & CloneOptions)
  // Storage pools and volumes (storage/actions.ts).
  | StorageAction
  // Virtual networks (networks/actions.ts).
  | NetworkAction
  // The host's cells, CPUs and page pools (node/actions.ts).
  | NodeAction
  // Host devices (nodedev/actions.ts).
  | NodedevAction
  // Secrets (secrets/actions.ts).
  | SecretAction
  // Domain snapshots and block jobs (snapshots/actions.ts).
  | SnapshotAction
  // The guest agent (agent/actions.ts).
  | AgentAction
  // virtkit install (install/actions.ts).
  | InstallAction
  | OsinfoListAction;

export interface ActionResults extends StorageResults, NetworkResults, NodeResults, NodedevResults, SecretResults, SnapshotResults, InstallResults, AgentResults {
  define: { readonly domain: DomainInfo; readonly created: boolean };
  undefine: DomainInfo;
  create: DomainInfo;
  start: DomainInfo;
  shutdown: DomainInfo;
  reboot: DomainInfo;
  reset: DomainInfo;
  destroy: DomainInfo;
  suspend: DomainInfo;
  resume: DomainInfo;
  setAutostart: DomainInfo;
  setMemory: DomainInfo;
  setMaxMemory: DomainInfo;
  setVcpus: DomainInfo;
  setTuning: DomainInfo;
  list: DomainInfo[];
  get: DomainInfo;
  dumpxml: string;
  stats: DomainStats;
  domstats: DomStats;
  vcpuinfo: VcpuReport;
  vcpucount: VcpuCountReport;
  tuning: TuningReport;
  host: HostInfo;
  domxmlToNative: NativeArgv;
  capabilities: string;
  domcapabilities: string;
  console: ConsoleSession;
  attachDevice: DomainInfo;
  detachDevice: DomainInfo;
  detachDisk: DomainInfo;
  blockResize: DomainInfo;
  ifSetLink: DomainInfo;
  changeMedia: DomainInfo;
  blockInfo: BlockInfo;
  clone: CloneResult;
}

export type ActionKind = Action['kind'];
export type ActionOf<K extends ActionKind> = Extract<Action, { kind: K }>;

export interface DispatchOptions {
  /** How long a state-changing action may wait for the domain's running job, ms (0: fail at once). */
  readonly wait?: number;
}

type Handler<K extends ActionKind> = (ctx: EngineContext, action: ActionOf<K>, opts: DispatchOptions) =>
  Promise<ActionResults[K]>;

const handlers: { readonly [K in ActionKind]: Handler<K> } = {
  define: defineDomain,
  undefine: undefineDomain,
  create: createDomain,
  start: startDomain,
  shutdown: shutdownDomain,
  reboot: rebootDomain,
  reset: resetDomain,
  destroy: destroyDomain,
  suspend: suspendDomain,
  resume: resumeDomain,
  setAutostart,
  setMemory,
  setMaxMemory,
  setVcpus,
  setTuning,
  list: listDomains,
  get: getDomain,
  dumpxml: dumpXml,
  stats: domainStats,
  domstats: domainStatsReport,
  vcpuinfo: vcpuInfoReport,
  vcpucount: vcpuCountReport,
  tuning: tuningReport,
  host: hostInfo,
  domxmlToNative,
  capabilities,
  domcapabilities: domainCapabilities,
  console: openConsole,
  attachDevice: attachDeviceXml,
  detachDevice: detachDeviceXml,
  detachDisk,
  blockResize,
  ifSetLink,
  changeMedia,
  blockInfo,
  clone: cloneDomain,
  ...storageHandlers,
  ...networkHandlers,
  ...nodeHandlers,
  ...nodedevHandlers,
  ...secretHandlers,
  ...snapshotHandlers,
  ...agentHandlers,
  ...installHandlers,
};

export function dispatch<A extends Action>(
  ctx: EngineContext,
  action: A,
  opts: DispatchOptions = {},
): Promise<ActionResults[A['kind']]> {
  // The table's mapped type ties each kind to its handler; TS cannot see through the generic here.
  const handler = handlers[action.kind] as unknown as (c: EngineContext, a: A, o: DispatchOptions) =>
    Promise<ActionResults[A['kind']]>;
  return handler(ctx, action, opts);
}
