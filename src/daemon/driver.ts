/**
 * The hypervisor driver interface: what the engine asks of the thing that
 * runs guests. The QEMU driver (src/daemon/qemu/, using src/host/qmp) plugs
 * in here; the engine knows nothing of QEMU, argv or QMP.
 *
 * Contract:
 *  - Methods resolve when the operation is done (a guest `shutdown` only
 *    when the request is delivered: the guest decides when to power off).
 *  - The engine records the state its own calls imply (suspend -> paused/user).
 *    Changes the guest or QEMU make on their own (guest power-off, panic, I/O
 *    error pause, QEMU exit) are reported through `onEvent`; reporting a
 *    change the engine caused as well is harmless (the engine ignores an
 *    event that does not change the state).
 *  - `stopped` is reported exactly once per RunningDomain, after the
 *    process is gone; the handle is dead afterwards.
 *  - `detach` lets go of the guest (closes the monitor) without stopping it:
 *    the daemon is exiting and a later `reattach` will pick it up again.
 */
import type { LiveTuning } from './live-tuning.js';
import type { NetDeviceCounters } from '../host/proc-stats.js';
import type { Duplex } from 'node:stream';
import type { CapabilitiesHost, HostCpuId } from '../core/qemu/host-caps/host-xml.js';
import type { CpuCompareResult } from '../core/api/types.js';
import type { Medium } from '../core/qemu/hotplug/media-plan.js';
import type { DiskDef } from '../core/xml/domain/index.js';
import type { InterfaceDef } from '../core/xml/domain/schema/interface.js';
import type { DomainDef } from './domain-xml.js';
import type { DomainRuntimePaths } from './paths.js';
import type { StateReason } from './state.js';
import type { DomainStatus } from './store/types.js';

export type ShutdownMode = 'acpi' | 'agent';

export interface DiskKeys {
  readonly encryption?: Uint8Array;
  readonly auth?: Uint8Array;
}

export interface StartOptions {
  /** Leave the vCPUs stopped after start (virsh start --paused). */
  readonly paused: boolean;
  /**
   * The keys of the disks, by target dev: a LUKS-encrypted disk's (<encryption format='luks'>)
   * and a network disk's credentials (<source><auth>: an rbd disk's cephx key, as bytes). The
   * driver hands them to the hypervisor without putting them on a command line, and keeps no
   * copy once the guest runs.
   */
  readonly diskKeys?: ReadonlyMap<string, DiskKeys>;
}

export interface DomainStats {
  /** Guest CPU time used by all vCPUs, in nanoseconds. */
  readonly cpuTimeNs: number;
  /** Memory the guest currently has (balloon), KiB. */
  readonly currentMemoryKiB: number;
  readonly vcpus: number;
}

/** One vCPU as virsh vcpuinfo shows it. */
export interface VcpuInfo {
  readonly vcpu: number;
  /** Host thread id of the vCPU. */
  readonly threadId: number;
  readonly state: 'running' | 'offline';
  readonly cpuTimeNs: number;
  /** Host CPU it last ran on. */
  readonly cpu: number;
  /** Host CPUs it may run on (sched affinity); undefined when unknown. */
  readonly affinity?: number[];
}

/** Block counters of one disk (query-blockstats). */
export interface BlockStats {
  readonly device: string;
  readonly rdReqs: number;
  readonly rdBytes: number;
  readonly wrReqs: number;
  readonly wrBytes: number;
  readonly flReqs: number;
  /** Total time spent on reads, writes and flushes, ns. */
  readonly rdTimesNs: number;
  readonly wrTimesNs: number;
  readonly flTimesNs: number;
}

/** Counters of one host tap, seen from the guest (the tap's tx is the guest's rx), as virsh domifstat reports them. */
export interface NetStats extends NetDeviceCounters {
  readonly device: string;
}

/** Everything virsh domstats shows about a running domain (DomainStats is the short form). */
export interface DetailedStats {
  /** CPU time of the whole QEMU process (user + system), ns. */
  readonly cpuTimeNs: number;
  readonly cpuUserNs: number;
  readonly cpuSystemNs: number;
  readonly balloon: { readonly currentKiB: number; readonly maximumKiB: number };
  readonly vcpus: VcpuInfo[];
  readonly block: BlockStats[];
  readonly net: NetStats[];
}

/** A QEMU command line (virsh domxml-to-native qemu-argv). */
export interface NativeArgv {
  readonly binary: string;
  readonly args: string[];
  readonly env: Readonly<Record<string, string>>;
}

/** What the host looks like, for the capabilities XML. */
export type HostDescription = CapabilitiesHost;

export interface DomainCapsQuery {
  readonly emulator?: string;
  readonly arch?: string;
  readonly machine?: string;
  readonly virttype?: string;
}

export type DriverEvent =
  | { readonly type: 'stopped'; readonly reason: StateReason<'shutoff'> }
  | { readonly type: 'suspended'; readonly reason: StateReason<'paused'> }
  /** The vCPUs run again, with the reason of the running state (crashed after an on_crash restart). */
  | { readonly type: 'resumed'; readonly reason: 'booted' | 'unpaused' | 'crashed' | 'wakeup' }
  /** The guest began to power off (ACPI, or on its own). */
  | { readonly type: 'shutdown'; readonly by: 'guest' | 'host' }
  | { readonly type: 'crashed'; readonly reason: StateReason<'crashed'> }
  | { readonly type: 'pmsuspended'; readonly to: 'memory' | 'disk' };

/**
 * The disks of a running guest, changed live (the QEMU driver's hotplug.ts). Each method
 * resolves once QEMU has done it and returns the new live definition.
 */
export interface LiveDisks {
  /**
   * Plugs in a disk whose source is a file, block device or network disk (a volume disk is
   * resolved before); `keys` are its LUKS / cephx keys when it has <encryption> or <auth>.
   */
  attach(disk: DiskDef, keys?: DiskKeys): Promise<DomainDef>;
  /**
   * Unplugs the disk whose target (vdb) or source is `ref`, once the guest has released it.
   * When the guest is too slow (OPERATION_TIMEOUT), the request stays and `onLate` hears the
   * live definition once the guest does release it.
   */
  detach(ref: string, onLate?: (live: DomainDef) => void): Promise<DomainDef>;
  /** Grows (or shrinks) the disk's image to `bytes` (virsh blockresize). */
  resize(ref: string, bytes: number): Promise<void>;
  /** Ejects the medium of a CD-ROM or floppy drive and, with `medium`, inserts that one (virsh change-media). */
  changeMedia(ref: string, medium: Medium | undefined, force: boolean): Promise<DomainDef>;
  /** Sizes of the disk as QEMU has it open (query-block), virsh domblkinfo. */
  info(ref: string): Promise<BlockInfo>;
  /** The block node names QEMU has (query-named-block-nodes), top nodes and the nodes under them. */
  nodeNames(): Promise<string[]>;
}

/**
 * The network interfaces of a running guest, changed live (the QEMU driver's net-hotplug.ts).
 * An interface is named by its MAC, its host tap (<target dev>) or its alias. Each method
 * resolves once QEMU has done it and returns the new live definition.
 */
export interface LiveNics {
  /**
   * Plugs in an interface (its tap made first, as at start). `sent` hears the live definition the
   * domain will have if the attach succeeds, as soon as it is known (with a tap, once the tap's name
   * is chosen and recorded, as it is made; else once the monitor commands are written); the attach, success or
   * failure, waits for what it returns (the engine's early status write), and rejects with it when it fails.
   */
  attach(iface: InterfaceDef, sent?: (next: DomainDef) => Promise<void>): Promise<DomainDef>;
  /** Unplugs it once the guest has released it, then removes its tap; `onLate` as for disks. */
  detach(ref: string, onLate?: (live: DomainDef) => void): Promise<DomainDef>;
  /** virsh domif-setlink: the NIC's link as the guest sees it (QMP set_link). */
  setLink(ref: string, up: boolean): Promise<DomainDef>;
}

/** virsh domblkinfo's figures, in bytes; `source` is the file QEMU has open, null for an empty drive. */
export interface BlockInfo {
  readonly target: string;
  readonly capacity: number;
  readonly allocation: number;
  readonly physical: number;
  readonly source: string | null;
}

/** A block job as query-jobs reports it: progress is done out of total, in no fixed unit. */
export interface BlockJobInfo {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly done: number;
  readonly total: number;
}

/**
 * Snapshots and block jobs on a running domain's disks, named by their device alias
 * (virtio-disk0). Each resolves when QEMU's job has ended, and throws its error.
 */
export interface LiveDiskOps {
  /** An internal snapshot `tag` of the disks (save, load or delete), the memory in `vmstate`'s image. */
  internalSnapshot(op: 'save' | 'load' | 'delete', tag: string, aliases: readonly string[], vmstate: string | undefined): Promise<void>;
  /** Puts `overlay` (a new qcow2 file whose backing file is the disk's current image) on top of the disk. */
  externalSnapshot(alias: string, overlay: string): Promise<void>;
  /**
   * Block commit: `top` (default: the active image) into `base` (default: its backing file); `speed` in bytes/s.
   * An active commit ends by switching the disk to base (`finish` 'pivot', the default) or by leaving it on
   * top ('keep-overlay'), or stays synchronized ('ready': resolves then, see finishReady); `backingFile` is the name
   * written into the image above a non-active top. `started`: called once QEMU runs the job.
   */
  commit(alias: string, o?: { top?: string; base?: string; speed?: number; finish?: 'pivot' | 'keep-overlay' | 'ready'; backingFile?: string }, started?: () => void): Promise<void>;
  /** Block stream: the backing chain (down to `base`) copied into the active image. `started`: called once QEMU runs the job. */
  pull(alias: string, o?: { base?: string; speed?: number }, started?: () => void): Promise<void>;
  /**
   * Ends an active commit left ready (commit with finish 'ready'): 'pivot' switches the disk to base
   * (job-complete), 'cancel' leaves it on top (block-job-cancel). Resolves when the job has ended.
   */
  finishReady(alias: string, how: 'pivot' | 'cancel'): Promise<void>;
  /**
   * Follows a job virtkit started before (a daemon restart): resolves when it has ended (dismissed,
   * its error thrown) or, for an active commit, when it is ready ('ready'; at once if it is).
   */
  followJob(id: string): Promise<'ended' | 'ready'>;
  jobs(): Promise<BlockJobInfo[]>;
  abort(id: string): Promise<void>;
  /** Closes the image `file` after a commit took it out of every chain. */
  release(file: string): Promise<void>;
}

/** A running domain's QEMU guest agent: one command at a time; AGENT_UNAVAILABLE, AGENT_UNRESPONSIVE, AGENT_COMMAND_FAILED. */
export interface DomainAgent {
  /** Resolves the command's `return`; `noReply` (guest-shutdown): once written. */
  execute(execute: string, args?: Readonly<Record<string, unknown>>, opts?: { readonly timeoutMs?: number; readonly noReply?: boolean }): Promise<unknown>;
  /** `def` with the agent channel's <target state='connected|disconnected'/> as last known (libvirt's live XML). */
  withPortState?(def: DomainDef): DomainDef;
}

export interface RunningDomain {
  /** The guest agent; absent where the driver has none (a domain without the channel gets AGENT_UNAVAILABLE from it). */
  readonly agent?: DomainAgent;
  /** Absent when the driver cannot change a running guest's disks. */
  readonly disks?: LiveDisks;
  /** Absent when the driver cannot change a running guest's network interfaces. */
  readonly nics?: LiveNics;
  /** Snapshots and block jobs; absent where the driver has none. */
  readonly blockOps?: LiveDiskOps;
  /** CPU pinning, scheduler bandwidth and NUMA nodes of the running guest; absent where the driver cannot change them. */
  readonly tuning?: LiveTuning;
  readonly pid: number;
  readonly qmpSocket: string;
  readonly argv: readonly string[];
  readonly startedAt: Date;
  /** Device aliases the driver assigned: alias -> description. */
  readonly aliases: Readonly<Record<string, string>>;
  /** The definition as running (defaults and aliases filled in). */
  readonly liveDef: DomainDef;
  onEvent(listener: (event: DriverEvent) => void): void;
  shutdown(mode: ShutdownMode | undefined): Promise<void>;
  reboot(mode: ShutdownMode | undefined): Promise<void>;
  reset(): Promise<void>;
  /** Stops the guest: SIGTERM, then SIGKILL unless `graceful`. */
  destroy(opts: { graceful: boolean }): Promise<void>;
  suspend(): Promise<void>;
  resume(): Promise<void>;
  setMemory(kib: number): Promise<void>;
  /** `onLate`: a vCPU whose unplug timed out was ejected by the guest later (the live definition changed). */
  setVcpus(count: number, onLate?: () => void): Promise<void>;
  stats(): Promise<DomainStats>;
  /** virsh domstats: per-vCPU, balloon, block and interface figures. */
  detailedStats(): Promise<DetailedStats>;
  /** virsh vcpuinfo. */
  vcpuInfo(): Promise<VcpuInfo[]>;
  /** A byte stream to the guest's first serial console. */
  openConsole(): Promise<Duplex>;
  detach(): Promise<void>;
}

export interface HypervisorVersion {
  /** As virsh prints it: `QEMU`. */
  readonly name: string;
  readonly version: string;
}

export interface Hypervisor {
  readonly name: string;
  version(): Promise<HypervisorVersion>;
  start(def: DomainDef, paths: DomainRuntimePaths, opts: StartOptions): Promise<RunningDomain>;
  /**
   * Reconnects to a guest a previous daemon started. Resolves undefined when
   * the guest is gone (its process exited while no daemon watched).
   */
  reattach(def: DomainDef, status: DomainStatus, paths: DomainRuntimePaths): Promise<RunningDomain | undefined>;
  /** The command line `start` would run for `def` at `paths` (virsh domxml-to-native). */
  nativeArgv(def: DomainDef, paths: DomainRuntimePaths): Promise<NativeArgv>;
  /** libvirt's capabilities XML (virsh capabilities). */
  capabilitiesXml(host: HostDescription): Promise<string>;
  /** libvirt's domainCapabilities XML (virsh domcapabilities). */
  domainCapabilitiesXml(q: DomainCapsQuery): Promise<string>;
  /** The CPU model names the hypervisor offers for guests of `arch` (virsh cpu-models), sorted. */
  cpuModelNames(arch: string): Promise<string[]>;
  /** cpu-compare / hypervisor-cpu-compare (docs/cpu-models.md); absent: UNSUPPORTED_OPERATION. */
  cpuCompare?(q: CpuQuery): Promise<CpuCompareResult>;
  /** cpu-baseline / hypervisor-cpu-baseline: the baseline <cpu> XML; absent: UNSUPPORTED_OPERATION. */
  cpuBaseline?(q: CpuQuery & { readonly features?: boolean }): Promise<string>;
}

/** What a CPU question is asked against: the host CPU (its /proc/cpuinfo) or the accelerator. */
export interface CpuQuery {
  readonly xml: string;
  readonly against: 'host' | 'hypervisor';
  readonly virttype?: string;
  /** The host CPU, for against='host'. */
  readonly hostCpu?: HostCpuId;
}

/** Loads the driver on first use, so that start-up does not pay for it. */
export type HypervisorLoader = () => Promise<Hypervisor>;
