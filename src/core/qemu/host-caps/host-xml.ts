/**
 * The `<host>` part of libvirt's capabilities XML (virCapabilitiesFormatXML in libvirt 9.0)
 * from the host topology that src/host/sysfs/topology.ts reads: `<cpu>` with the vendor,
 * microcode and signature of /proc/cpuinfo, its topology and page sizes, `<iommu support>`, and `<topology><cells>` with, per NUMA cell, its memory, pages
 * per size, distances and CPUs (socket, die, core, siblings). Pure.
 *
 * Per cell, the system page count is what the node's memory holds beyond its huge page pools
 * ((MemTotal - sum of nr_hugepages x size) / page size) and each huge page count is the pool's
 * nr_hugepages, as libvirt's virNumaGetPageInfo gives them. Every page size any node has is
 * listed in every cell (0 where the node has no pool of that size).
 */
import { formatCpuset } from '../../placement/cpuset.js';
import type { HostCpu, HostNumaTopology, NumaNode } from '../../placement/topology.js';
import { pageSizes } from '../../node/node-report.js';
import { summarizeTopology } from '../../node/summary.js';
import { escapeXmlAttr as xmlEscape } from '../../xml/tree.js';

/** What /proc/cpuinfo says of the host CPU (src/host/cpuinfo.ts). */
export interface HostCpuId {
  /** libvirt's vendor name: Intel, AMD, Hygon. */
  readonly vendor?: string;
  readonly signature?: { readonly family: number; readonly model: number; readonly stepping: number };
  readonly microcode?: number;
  /** The `flags` of /proc/cpuinfo, as Linux names them (sse4_1, tsc_deadline_timer). */
  readonly flags?: readonly string[];
}

/** The host CPU as a named model plus the features it has beyond it (libvirt's names). */
export interface HostCpuModel {
  readonly model: string;
  readonly features: readonly string[];
}

export interface CapabilitiesHost {
  readonly arch: string;
  /** Vendor, microcode and signature; none of them when absent. */
  readonly cpuid?: HostCpuId;
  readonly topology: HostNumaTopology;
  /** Whether the host has IOMMU groups (/sys/kernel/iommu_groups is not empty). */
  readonly iommu: boolean;
  /** The system page size in KiB (4 on x86). */
  readonly pageKiB: number;
}

/** The page sizes of the host, ascending: the system page first, then every huge page size. */
export function hostPageSizes(host: Pick<CapabilitiesHost, 'topology' | 'pageKiB'>): number[] {
  return pageSizes(host);
}

function cellXml(node: NumaNode, cpus: ReadonlyMap<number, HostCpu>, sizes: readonly number[], pageKiB: number): string[] {
  const hugeKiB = node.hugepages.reduce((sum, p) => sum + p.total * p.sizeKiB, 0);
  const out = [`        <cell id='${node.id}'>`];
  if (node.memTotalKiB > 0) out.push(`          <memory unit='KiB'>${node.memTotalKiB}</memory>`);
  for (const size of sizes) {
    const count = size === pageKiB
      ? Math.max(0, Math.floor((node.memTotalKiB - hugeKiB) / pageKiB))
      : node.hugepages.find((p) => p.sizeKiB === size)?.total ?? 0;
    out.push(`          <pages unit='KiB' size='${size}'>${count}</pages>`);
  }
  if (node.distances.length > 0) {
    out.push('          <distances>');
    for (const d of node.distances) out.push(`            <sibling id='${d.node}' value='${d.value}'/>`);
    out.push('          </distances>');
  }
  if (node.cpus.length > 0) {
    out.push(`          <cpus num='${node.cpus.length}'>`);
    for (const id of node.cpus) {
      const c = cpus.get(id);
      out.push(c === undefined
        ? `            <cpu id='${id}'/>`
        : `            <cpu id='${id}' socket_id='${c.socket}' die_id='${c.die}' core_id='${c.core}' siblings='${formatCpuset(c.siblings)}'/>`);
    }
    out.push('          </cpus>');
  }
  out.push('        </cell>');
  return out;
}

/** libvirt's order after <arch> and <model>: vendor, microcode, signature. */
function cpuIdLines(id: HostCpuId | undefined): string[] {
  if (id === undefined) return [];
  const sig = id.signature;
  return [
    ...(id.vendor === undefined ? [] : [`      <vendor>${xmlEscape(id.vendor)}</vendor>`]),
    ...(id.microcode === undefined ? [] : [`      <microcode version='${id.microcode}'/>`]),
    ...(sig === undefined ? [] : [`      <signature family='${sig.family}' model='${sig.model}' stepping='${sig.stepping}'/>`]),
  ];
}

/**
 * The lines of `<host>` from `<cpu>` to `</topology>` (secmodel and the rest are the caller's);
 * `model` (capabilities.ts decodes it with QEMU's models) adds `<model>` and the `<feature>`s.
 */
export function hostXmlLines(host: CapabilitiesHost, model?: HostCpuModel): string[] {
  const s = summarizeTopology(host.topology);
  const sizes = hostPageSizes(host);
  const cpus = new Map(host.topology.cpus.map((c) => [c.id, c]));
  return [
    '    <cpu>',
    `      <arch>${xmlEscape(host.arch)}</arch>`,
    ...(model === undefined ? [] : [`      <model>${xmlEscape(model.model)}</model>`]),
    ...cpuIdLines(host.cpuid),
    `      <topology sockets='${s.sockets}' dies='${s.dies}' cores='${s.cores}' threads='${s.threads}'/>`,
    ...(model?.features ?? []).map((f) => `      <feature name='${xmlEscape(f)}'/>`),
    ...sizes.map((size) => `      <pages unit='KiB' size='${size}'/>`),
    '    </cpu>',
    '    <power_management/>',
    `    <iommu support='${host.iommu ? 'yes' : 'no'}'/>`,
    '    <topology>',
    `      <cells num='${host.topology.nodes.length}'>`,
    ...host.topology.nodes.flatMap((n) => cellXml(n, cpus, sizes, host.pageKiB)),
    '      </cells>',
    '    </topology>',
  ];
}
