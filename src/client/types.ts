/**
 * What the daemon's API sends and takes, as TypeScript types. The API's
 * types are inferred from its valibot schemas in src/core/api/ and only
 * aliased here; they are imported with `import type`, so the client (and
 * the CLI) never loads valibot at run time: the CLI starts faster.
 * The rest (list filters, options) are the client's own.
 */
import type * as Api from '../core/api/types.js';

export type { DomainState } from '../core/api/domain-state.js';
/** The kinds of host device virtkit lists (nodedev-list --cap). */
export type { NodedevCap } from '../core/nodedev/list.js';

export type DomainInfo = Api.DomainInfo;
export type DefineResult = Api.DefineResult;
/** virtkit clone's options (POST /v1/domains/{id}/actions/clone) and answer. */
export type CloneRequest = Api.CloneRequest;
export type CloneResult = Api.CloneResult;
export type DomainStats = Api.DomainStats;
export type NodeInfo = Api.NodeInfo;
export type HostInfo = Api.HostInfo;
/** The host's NUMA cells, CPUs and page pools (GET /v1/host/topology). */
export type HostNodeReport = Api.HostNodeReport;
export type AllocPagesRequest = Api.AllocPagesRequest;
export type CpuBaselineRequest = Api.CpuBaselineRequest;
export type CpuCompareRequest = Api.CpuCompareRequest;
export type CpuCompareResult = Api.CpuCompareResult;
/** nodememstats (KiB) and nodecpustats (ns) counters. */
export type NodeStats = Api.NodeStats;
/** What domains placed automatically hold (GET /v1/placement). */
export type PlacementReport = Api.PlacementReport;
export type NodedevList = Api.NodedevList;
export type NodedevEntry = Api.NodedevList['devices'][number];
export type NodedevBindResult = Api.NodedevBindResult;
export type LifecycleEvent = Api.LifecycleEvent;
export type ObjectEvent = Api.ObjectEvent;
export type ObjectEventKind = Api.ObjectEventKind;
/** virsh domstats (GET /v1/domains/{id}/domstats). */
export type DomStats = Api.DomStats;
export type VcpuInfo = Api.VcpuInfo;
/** virsh vcpuinfo. */
export type VcpuReport = Api.VcpuReport;
export type VcpuCounts = Api.VcpuCounts;
/** virsh vcpucount. */
export type VcpuCountReport = Api.VcpuCountReport;
export type TuningReport = Api.TuningReport;
export type TuningRequest = Api.TuningRequest;
/** A QEMU command line (domxml-to-native). */
export type NativeArgv = Api.NativeArgv;
export type ShutdownMode = Api.ShutdownMode;

/** A storage pool (pool-list, pool-info). */
export type PoolInfo = Api.PoolInfo;
export type NetworkInfo = Api.NetworkInfo;
export type NetworkDefineResult = Api.NetworkDefineResult;
export type NetworkStartPlan = Api.NetworkStartPlan;
export type NetworkLease = Api.NetworkLease;
export type DomainIfAddrList = Api.DomainIfAddrList;
export type NetworkUpdateRequest = Api.NetworkUpdateRequest;
/** virsh domblkinfo. */
export type BlockInfo = Api.BlockInfo;
export type PoolDefineResult = Api.PoolDefineResult;
/** A storage volume (vol-list, vol-info). */
export type VolumeInfo = Api.VolumeInfo;
/** A secret (secret-list): never its value. */
export type SecretInfo = Api.SecretInfo;
export type SecretDefineResult = Api.SecretDefineResult;

export interface SecretFilter {
  ephemeral?: boolean;
  private?: boolean;
}

/** A domain snapshot (snapshot-list, snapshot-info). */
export type SnapshotInfo = Api.SnapshotInfo;
/** A disk's block jobs (blockjob --info). */
export type BlockJobsReport = Api.BlockJobsReport;
export type BlockCommitRequest = Api.BlockCommitRequest;
export type BlockCommitResult = Api.BlockCommitResult;

export interface SnapshotCreateOptions {
  xml?: string;
  diskOnly?: boolean;
  noMetadata?: boolean;
  redefine?: boolean;
  current?: boolean;
  quiesce?: boolean;
}

export interface NetworkFilter {
  readonly active?: boolean;
  readonly persistent?: boolean;
  readonly autostart?: boolean;
}

export interface PoolFilter {
  active?: boolean;
  persistent?: boolean;
  autostart?: boolean;
  types?: readonly string[];
}

export type StateGroup = 'running' | 'paused' | 'shutoff' | 'other';

export interface ListFilter {
  states?: readonly StateGroup[];
  active?: boolean;
  persistent?: boolean;
  autostart?: boolean;
}

/** Lifecycle actions and the options each takes. */
export interface ActionOptions {
  start: Api.StartOptions;
  shutdown: Api.ShutdownOptions;
  reboot: Api.RebootOptions;
  reset: Record<string, never>;
  destroy: Api.DestroyOptions;
  suspend: Record<string, never>;
  resume: Record<string, never>;
}

export type LifecycleAction = keyof ActionOptions;

export interface JobOptions {
  /** Wait up to this many ms for a job already running on the domain (default: fail at once). */
  wait?: number;
}

/** virsh's --live / --config (neither: the running domain if it runs, else the definition). */
export interface ImpactOptions {
  live?: boolean | undefined;
  config?: boolean | undefined;
}

/** Disk changes also take virsh's --persistent: the definition, and the running domain when it runs. */
export interface DiskImpactOptions extends ImpactOptions {
  persistent?: boolean | undefined;
}

/** virsh change-media: what to do with the drive's medium. */
export interface ChangeMediaRequest {
  mode: 'eject' | 'insert' | 'update';
  source?: string;
  block?: boolean;
  force?: boolean;
}

export interface DomainCapsQuery {
  emulator?: string | undefined;
  arch?: string | undefined;
  machine?: string | undefined;
  virttype?: string | undefined;
}

export type InstallRequest = Api.InstallRequest;
export type InstallResult = Api.InstallResult;
export type OsinfoList = Api.OsinfoList;
