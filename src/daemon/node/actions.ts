/**
 * The host ("node") part of the engine's one typed action list (engine/actions.ts merges it):
 * the host's NUMA cells, CPUs and page pools (freecell, freepages, nodecpumap), and sizing a
 * huge page pool (allocpages). Read and written through the engine's HostReader, under the
 * daemon's host root.
 */
import { VirtkitError } from '../../core/errors.js';
import type { HostNodeReport } from '../../core/node/node-report.js';
import { formatSysinfoXml } from '../../core/node/sysinfo.js';
import type { CpuCompareResult } from '../../core/api/types.js';
import type { StatField } from '../../host/node-stats.js';
import type { CpuQuery, Hypervisor } from '../driver.js';
import type { EngineContext } from '../engine/context.js';
import { placementView, type PlacementView } from '../engine/placement.js';

export type NodeAction =
  | { readonly kind: 'nodeReport' }
  | { readonly kind: 'nodeSysinfo' }
  | { readonly kind: 'cpuModels'; readonly arch: string }
  | ({ readonly kind: 'cpuCompare' } & CpuAsk)
  | ({ readonly kind: 'cpuBaseline'; readonly features?: boolean } & CpuAsk)
  | { readonly kind: 'nodeMemStats'; readonly cell?: number }
  | { readonly kind: 'nodeCpuStats'; readonly cpu?: number }
  | { readonly kind: 'placement' }
  | { readonly kind: 'allocPages'; readonly pageSizeKiB: number; readonly count: number; readonly cell?: number; readonly add?: boolean };

export interface NodeResults {
  nodeReport: HostNodeReport;
  allocPages: HostNodeReport;
  nodeSysinfo: string;
  cpuModels: { readonly models: string[] };
  cpuCompare: CpuCompareResult;
  cpuBaseline: string;
  nodeMemStats: { readonly stats: StatField[] };
  nodeCpuStats: { readonly stats: StatField[] };
  placement: PlacementView;
}

/** x86's system page; virtkit runs x86_64 guests only. */
export const SYSTEM_PAGE_KIB = 4;

async function nodeReport(ctx: EngineContext): Promise<HostNodeReport> {
  const [topology, presentCpus] = await Promise.all([ctx.host.topology(), ctx.host.presentCpus()]);
  return { topology, pageKiB: SYSTEM_PAGE_KIB, presentCpus };
}

async function allocPages(ctx: EngineContext, a: Extract<NodeAction, { kind: 'allocPages' }>): Promise<HostNodeReport> {
  if (a.pageSizeKiB === SYSTEM_PAGE_KIB) {
    throw new VirtkitError('INVALID_ARGUMENT', "the system page pool cannot be sized: only huge page pools can (virsh: system pages pool can't be modified)",
      { details: { pageSizeKiB: a.pageSizeKiB } });
  }
  if (a.cell !== undefined) {
    const nodes = (await ctx.host.topology()).nodes.map((n) => n.id);
    if (!nodes.includes(a.cell)) {
      throw new VirtkitError('INVALID_ARGUMENT', `NUMA cell ${a.cell} does not exist (this host has cells ${nodes.join(', ')})`, { details: { cell: a.cell } });
    }
  }
  const r = await ctx.host.setPagePool({ sizeKiB: a.pageSizeKiB, count: a.count, ...(a.cell === undefined ? {} : { node: a.cell }), ...(a.add === undefined ? {} : { add: a.add }) });
  ctx.log.info(`huge pages: the ${a.pageSizeKiB}KiB pool of ${a.cell === undefined ? 'the host' : `NUMA node ${a.cell}`} went from ${r.previous} to ${r.total} pages`);
  return nodeReport(ctx);
}

/** A CPU question (docs/cpu-models.md): the XML holding the <cpu>s and what it is asked against. */
type CpuAsk = Omit<CpuQuery, 'hostCpu'>;

/** The driver's answer, with the host CPU read here (under the daemon's host root) when asked against it. */
async function cpuQuery(ctx: EngineContext, a: CpuAsk): Promise<{ driver: Hypervisor; q: CpuQuery }> {
  const [driver, hostCpu] = await Promise.all([ctx.driver(), a.against === 'host' ? ctx.host.cpuId() : undefined]);
  const q: CpuQuery = { xml: a.xml, against: a.against, ...(a.virttype === undefined ? {} : { virttype: a.virttype }), ...(hostCpu === undefined ? {} : { hostCpu }) };
  return { driver, q };
}

const noCpuQueries = (): VirtkitError => new VirtkitError('UNSUPPORTED_OPERATION', "this daemon's hypervisor driver does not compare CPUs");

type Of<K extends NodeAction['kind']> = Extract<NodeAction, { kind: K }>;
type Handler<K extends NodeAction['kind']> = (ctx: EngineContext, a: Of<K>) => Promise<NodeResults[K]>;

export const nodeHandlers: { readonly [K in NodeAction['kind']]: Handler<K> } = {
  nodeReport: (ctx) => nodeReport(ctx),
  allocPages,
  nodeSysinfo: async (ctx) => formatSysinfoXml(await ctx.host.dmi()),
  cpuModels: async (ctx, a) => ({ models: await (await ctx.driver()).cpuModelNames(a.arch) }),
  cpuCompare: async (ctx, a) => {
    const { driver, q } = await cpuQuery(ctx, a);
    if (driver.cpuCompare === undefined) throw noCpuQueries();
    return driver.cpuCompare(q);
  },
  cpuBaseline: async (ctx, a) => {
    const { driver, q } = await cpuQuery(ctx, a);
    if (driver.cpuBaseline === undefined) throw noCpuQueries();
    return driver.cpuBaseline({ ...q, ...(a.features === undefined ? {} : { features: a.features }) });
  },
  nodeMemStats: async (ctx, a) => ({ stats: await ctx.host.memStats(a.cell) }),
  nodeCpuStats: async (ctx, a) => ({ stats: await ctx.host.cpuStats(a.cpu) }),
  placement: placementView,
};
