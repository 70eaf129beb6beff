/**
 * domstats, vcpuinfo and vcpucount: figures the driver reads from QEMU,
 * labelled with what the definition says (disk targets and sources by
 * alias). Queries: they never wait behind a job.
 */
import type { DomainDef } from '../domain-xml.js';
import type { BlockStats, DetailedStats, VcpuInfo } from '../driver.js';
import { DOMAIN_STATES, STATE_REASONS, type DomainState } from '../state.js';
import type { ActionOf, ActionResults } from './actions.js';
import type { EngineContext } from './context.js';

/** A disk's counters labelled with its target (vda) and source (null for a disk without one, e.g. an empty cdrom). */
export type BlockFigures = Omit<BlockStats, 'device'> & { readonly name: string; readonly path: string | null };

export interface DomStats {
  readonly name: string;
  readonly state: DomainState;
  readonly reason: string;
  /** libvirt's numbers (virDomainState and its reason enum), as domstats prints them. */
  readonly stateCode: number;
  readonly reasonCode: number;
  readonly vcpuCurrent: number;
  readonly vcpuMaximum: number;
  /** Null while the domain is not running. */
  readonly running: {
    readonly cpuTimeNs: number;
    readonly cpuUserNs: number;
    readonly cpuSystemNs: number;
    readonly balloon: DetailedStats['balloon'];
    readonly vcpus: { readonly vcpu: number; readonly state: 'running' | 'offline'; readonly cpuTimeNs: number }[];
    readonly block: BlockFigures[];
    readonly net: DetailedStats['net'];
  } | null;
}

export interface VcpuReport {
  /** Host CPUs (the affinity map's length). */
  readonly hostCpus: number;
  readonly maximum: number;
  /** Null while the domain is not running (virsh prints N/A). */
  readonly vcpus: VcpuInfo[] | null;
}

export interface VcpuCounts {
  readonly maximum: number;
  readonly current: number;
}

export interface VcpuCountReport {
  /** Null for a transient domain. */
  readonly config: VcpuCounts | null;
  /** Null while shut off. */
  readonly live: VcpuCounts | null;
}

function counts(def: DomainDef): VcpuCounts {
  const maximum = def.vcpu?.value ?? 1;
  return { maximum, current: def.vcpu?.current ?? maximum };
}

function diskPath(d: NonNullable<NonNullable<DomainDef['devices']>['disk']>[number]): string | null {
  const s = d.source as { file?: string; dev?: string; dir?: string; name?: string; volume?: string } | undefined;
  return s?.file ?? s?.dev ?? s?.dir ?? s?.name ?? s?.volume ?? null;
}

/** QEMU names a -blockdev disk by its qdev path (/machine/peripheral/ALIAS/...), an old-style one by its id. */
export function blockFigures(def: DomainDef, raw: DetailedStats['block']): BlockFigures[] {
  return (def.devices?.disk ?? []).flatMap((d) => {
    const alias = d.alias?.name;
    if (alias === undefined || d.target === undefined) return [];
    const s = raw.find((b) => b.device === alias || b.device === `drive-${alias}` || b.device.includes(`/${alias}/`) || b.device.endsWith(`/${alias}`));
    const z = { rdReqs: 0, rdBytes: 0, wrReqs: 0, wrBytes: 0, flReqs: 0, rdTimesNs: 0, wrTimesNs: 0, flTimesNs: 0 };
    const { device: _drop, ...figures } = s ?? { device: '', ...z };
    return [{ name: d.target.dev, path: diskPath(d), ...figures }];
  });
}

export async function domainStatsReport(ctx: EngineContext, a: ActionOf<'domstats'>): Promise<ActionResults['domstats']> {
  const rec = ctx.registry.resolve(a.name);
  const rt = rec.runtime;
  const def = rt?.liveDef ?? (await ctx.defOf(rec));
  const c = counts(def);
  const base = {
    name: rec.name, state: rec.state.state, reason: rec.state.reason,
    stateCode: DOMAIN_STATES.indexOf(rec.state.state),
    reasonCode: Math.max(0, (STATE_REASONS[rec.state.state] as readonly string[]).indexOf(rec.state.reason)),
    vcpuCurrent: c.current, vcpuMaximum: c.maximum,
  };
  if (!rt?.handle) return { ...base, running: null };
  const s = await rt.handle.detailedStats();
  return {
    ...base,
    running: {
      cpuTimeNs: s.cpuTimeNs, cpuUserNs: s.cpuUserNs, cpuSystemNs: s.cpuSystemNs, balloon: s.balloon,
      vcpus: s.vcpus.map((v) => ({ vcpu: v.vcpu, state: v.state, cpuTimeNs: v.cpuTimeNs })),
      block: blockFigures(rt.liveDef, s.block), net: s.net,
    },
  };
}

export async function vcpuInfoReport(ctx: EngineContext, a: ActionOf<'vcpuinfo'>): Promise<ActionResults['vcpuinfo']> {
  const rec = ctx.registry.resolve(a.name);
  const rt = rec.runtime;
  const [node, vcpus] = await Promise.all([
    ctx.deps.nodeInfo(),
    rt?.handle ? rt.handle.vcpuInfo() : Promise.resolve(null),
  ]);
  const def = rt?.liveDef ?? (await ctx.defOf(rec));
  return { hostCpus: node.cpus, maximum: counts(def).maximum, vcpus };
}

export async function vcpuCountReport(ctx: EngineContext, a: ActionOf<'vcpucount'>): Promise<ActionResults['vcpucount']> {
  const rec = ctx.registry.resolve(a.name);
  return {
    config: rec.persistent ? counts(await ctx.defOf(rec)) : null,
    live: rec.runtime ? counts(rec.runtime.liveDef) : null,
  };
}
