/**
 * REST routes of the host's NUMA cells, CPUs and huge page pools: the report freecell,
 * freepages, nodecpumap and `capabilities --json` print, and allocpages.
 */
import type { HostNodeReport as Body, PlacementReport } from '../../core/api/types.js';
import type { HostNodeReport } from '../../core/node/node-report.js';
import { route, type Route } from './router.js';

/** The engine's report is the schema's shape with readonly arrays (the answer is only serialized). */
const body = (r: HostNodeReport): Body => r as Body;

export const nodeRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/host/topology', operationId: 'getHostTopology', tag: 'host',
    summary: "The host's NUMA cells (CPUs, memory, free memory, distances, huge page pools) and CPUs (socket, die, core, siblings)",
    description: 'Read from sysfs under the daemon\'s host root at each request (freecell, freepages, nodecpumap).',
    query: {}, response: 'HostNodeReport', errors: ['IO_ERROR'],
    handle: async ({ engine }) => ({ body: body(await engine.dispatch({ kind: 'nodeReport' })) }),
  }),
  route({
    method: 'GET', path: '/v1/placement', operationId: 'getPlacement', tag: 'host',
    summary: 'What domains placed automatically hold: host CPUs, memory and huge pages per NUMA node (virtkit placement)',
    description: 'From the daemon\'s holdings (running domains and starts in progress) and the topology under its host root.',
    query: {}, response: 'PlacementReport', errors: ['IO_ERROR'],
    handle: async ({ engine }) => ({ body: await engine.dispatch({ kind: 'placement' }) as PlacementReport }),
  }),
  route({
    method: 'GET', path: '/v1/cpu-models', operationId: 'getCpuModels', tag: 'host',
    summary: "The CPU models guests of an architecture may use (virsh cpu-models): the probed QEMU's query-cpu-definitions, from the capabilities cache",
    query: { arch: { kind: 'string', description: 'The guest architecture (x86_64)' } },
    response: 'CpuModelList', errors: ['INVALID_ARGUMENT', 'UNSUPPORTED_OPERATION', 'QEMU_FAILED'],
    handle: async ({ query, engine }) => ({ body: await engine.dispatch({ kind: 'cpuModels', arch: query.arch ?? 'x86_64' }) }),
  }),
  route({
    method: 'POST', path: '/v1/host/actions/cpu-compare', operationId: 'compareCpu', tag: 'host',
    summary: "Compare a CPU with the host CPU or with what the hypervisor gives a guest (virsh cpu-compare, hypervisor-cpu-compare)",
    description: "The first <cpu> of the XML. Incompatible is an answer (result), not an error: the CLI's --error turns it into CPU_INCOMPATIBLE.",
    query: {}, body: 'CpuCompareBody', response: 'CpuCompareResult', errors: ['INVALID_ARGUMENT', 'INVALID_XML', 'UNSUPPORTED_OPERATION'],
    handle: async ({ body: b, engine }) => ({
      body: await engine.dispatch({ kind: 'cpuCompare', xml: b.xml, against: b.against, ...(b.virttype === undefined ? {} : { virttype: b.virttype }) }),
    }),
  }),
  route({
    method: 'POST', path: '/v1/host/actions/cpu-baseline', operationId: 'baselineCpu', tag: 'host',
    summary: 'The newest CPU model plus features that every <cpu> of the XML has (virsh cpu-baseline, hypervisor-cpu-baseline)',
    query: {}, body: 'CpuBaselineBody', response: 'XmlDocument', errors: ['INVALID_ARGUMENT', 'INVALID_XML', 'UNSUPPORTED_OPERATION'],
    handle: async ({ body: b, engine }) => ({
      body: {
        xml: await engine.dispatch({
          kind: 'cpuBaseline', xml: b.xml, against: b.against,
          ...(b.virttype === undefined ? {} : { virttype: b.virttype }), ...(b.features === undefined ? {} : { features: b.features }),
        }),
      },
    }),
  }),
  route({
    method: 'GET', path: '/v1/host/sysinfo', operationId: 'getHostSysinfo', tag: 'host',
    summary: "libvirt's host sysinfo XML (virsh sysinfo): the SMBIOS bios, system, baseBoard and chassis strings of /sys/class/dmi/id",
    query: {}, response: 'XmlDocument', errors: ['IO_ERROR'],
    handle: async ({ engine }) => ({ body: { xml: await engine.dispatch({ kind: 'nodeSysinfo' }) } }),
  }),
  route({
    method: 'GET', path: '/v1/host/memory-stats', operationId: 'getHostMemoryStats', tag: 'host',
    summary: "The host's memory counters in KiB (nodememstats): total, free, buffers, cached from /proc/meminfo; a cell's total and free",
    query: { cell: { kind: 'int', min: 0, max: 65535, description: 'A NUMA cell (its nodeN/meminfo)' } },
    response: 'NodeStats', errors: ['INVALID_ARGUMENT', 'IO_ERROR'],
    handle: async ({ query, engine }) => ({ body: await engine.dispatch({ kind: 'nodeMemStats', ...(query.cell === undefined ? {} : { cell: query.cell }) }) }),
  }),
  route({
    method: 'GET', path: '/v1/host/cpu-stats', operationId: 'getHostCpuStats', tag: 'host',
    summary: "The host's CPU time counters in ns (nodecpustats): kernel, user, idle, iowait from /proc/stat, all CPUs or one",
    query: { cpu: { kind: 'int', min: 0, max: 65535, description: 'One online CPU' } },
    response: 'NodeStats', errors: ['INVALID_ARGUMENT', 'IO_ERROR'],
    handle: async ({ query, engine }) => ({ body: await engine.dispatch({ kind: 'nodeCpuStats', ...(query.cpu === undefined ? {} : { cpu: query.cpu }) }) }),
  }),
  route({
    method: 'POST', path: '/v1/host/actions/allocpages', operationId: 'allocPages', tag: 'host',
    summary: 'Size a huge page pool of one NUMA cell or of the host (virsh allocpages); answers the report after the change',
    description: 'Writes nr_hugepages through sysfs (needs root). When the kernel gives fewer pages than asked, the pool is put back to its previous size and the answer is HUGEPAGES_SHORT.',
    query: {}, body: 'AllocPagesBody', response: 'HostNodeReport', errors: ['INVALID_ARGUMENT', 'HUGEPAGES_SHORT', 'IO_ERROR'],
    handle: async ({ body: b, engine }) => ({
      body: body(await engine.dispatch({
        kind: 'allocPages', pageSizeKiB: b.pageSizeKiB, count: b.count,
        ...(b.cell === undefined ? {} : { cell: b.cell }), ...(b.add === undefined ? {} : { add: b.add }),
      })),
    }),
  }),
];
