/**
 * The API's types, inferred from the schemas (schemas.ts). Import them with
 * `import type`: the types cost nothing at run time, while importing the
 * schemas' values loads valibot (the CLI must not, it starts faster without).
 */
import type * as v from 'valibot';
import type * as S from './schemas.js';

export type DomainInfo = v.InferOutput<typeof S.DomainInfo>;
export type DomainList = v.InferOutput<typeof S.DomainList>;
export type DefineResult = v.InferOutput<typeof S.DefineResult>;
export type CloneRequest = v.InferInput<typeof S.CloneBody>;
export type CloneResult = v.InferOutput<typeof S.CloneResult>;
export type DomainStats = v.InferOutput<typeof S.DomainStats>;
export type DomStats = v.InferOutput<typeof S.DomStats>;
export type VcpuReport = v.InferOutput<typeof S.VcpuReport>;
export type VcpuInfo = NonNullable<VcpuReport['vcpus']>[number];
export type VcpuCountReport = v.InferOutput<typeof S.VcpuCountReport>;
export type VcpuCounts = NonNullable<VcpuCountReport['config']>;
export type TuningReport = v.InferOutput<typeof S.TuningReport>;
export type TuningRequest = v.InferInput<typeof S.TuningBody>;
export type NativeArgv = v.InferOutput<typeof S.NativeArgv>;
export type NodeInfo = v.InferOutput<typeof S.NodeInfo>;
export type HostInfo = v.InferOutput<typeof S.HostInfo>;
export type HostNodeReport = v.InferOutput<typeof S.HostNodeReport>;
export type AllocPagesRequest = v.InferInput<typeof S.AllocPagesBody>;
export type CpuBaselineRequest = v.InferInput<typeof S.CpuBaselineBody>;
export type CpuCompareRequest = v.InferInput<typeof S.CpuCompareBody>;
export type CpuCompareResult = v.InferOutput<typeof S.CpuCompareResult>;
export type NodeStats = v.InferOutput<typeof S.NodeStats>;
export type PlacementReport = v.InferOutput<typeof S.PlacementReport>;
export type LifecycleEvent = v.InferOutput<typeof S.LifecycleEvent>;
export type ObjectEvent = v.InferOutput<typeof S.ObjectEvent>;
export type { ObjectEventKind } from './event-schemas.js';

export type StartOptions = v.InferInput<typeof S.StartBody>;
export type ShutdownOptions = v.InferInput<typeof S.ShutdownBody>;
export type RebootOptions = v.InferInput<typeof S.RebootBody>;
export type DestroyOptions = v.InferInput<typeof S.DestroyBody>;
export type ShutdownMode = NonNullable<ShutdownOptions['mode']>;

export type PoolInfo = v.InferOutput<typeof S.PoolInfo>;
export type NetworkInfo = v.InferOutput<typeof S.NetworkInfo>;
export type NetworkDefineResult = v.InferOutput<typeof S.NetworkDefineResult>;
export type NetworkStartPlan = v.InferOutput<typeof S.NetworkStartPlan>;
export type NetworkLease = v.InferOutput<typeof S.NetworkLease>;
export type DomainIfAddrList = v.InferOutput<typeof S.DomainIfAddrList>;
export type NetworkUpdateRequest = v.InferInput<typeof S.NetworkUpdateBody>;
export type BlockInfo = v.InferOutput<typeof S.BlockInfo>;
export type PoolDefineResult = v.InferOutput<typeof S.PoolDefineResult>;
export type VolumeInfo = v.InferOutput<typeof S.VolumeInfo>;
export type SecretInfo = v.InferOutput<typeof S.SecretInfo>;
export type SecretDefineResult = v.InferOutput<typeof S.SecretDefineResult>;
export type NodedevList = v.InferOutput<typeof S.NodedevList>;
export type NodedevBindResult = v.InferOutput<typeof S.NodedevBindResult>;

export type SnapshotInfo = v.InferOutput<typeof S.SnapshotInfo>;
export type BlockJobsReport = v.InferOutput<typeof S.BlockJobsReport>;
export type BlockCommitRequest = v.InferOutput<typeof S.BlockCommitBody>;
export type BlockCommitResult = v.InferOutput<typeof S.BlockCommitResult>;

export type InstallRequest = v.InferInput<typeof S.InstallBody>;
export type InstallResult = v.InferOutput<typeof S.InstallResult>;
export type OsinfoList = v.InferOutput<typeof S.OsinfoList>;
