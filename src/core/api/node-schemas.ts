/**
 * The host ("node") API's answers and bodies: the NUMA cells, CPUs and page pools that
 * freecell, freepages, nodecpumap and `capabilities --json` print, and allocpages' request.
 * schemas.ts re-exports them and adds them to its named components.
 */
import * as v from 'valibot';

export const nodeSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  nodeSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const ids = v.array(count);

const HostCpu = v.strictObject({
  id: count, node: count, socket: count, die: count, core: count,
  siblings: described(ids, 'The online threads of its core, itself included'),
});

const NumaNode = v.strictObject({
  id: count,
  cpus: described(ids, 'Online CPUs (none for a memory-only node)'),
  memTotalKiB: count,
  memFreeKiB: count,
  distances: v.array(v.strictObject({ node: count, value: count })),
  hugepages: described(v.array(v.strictObject({ sizeKiB: count, total: count, free: count })), 'Huge page pools by page size: nr_hugepages and free_hugepages'),
});

export const HostNodeReport = named('HostNodeReport', "The host's NUMA cells, CPUs and huge page pools, as read from sysfs", v.strictObject({
  topology: v.strictObject({ cpus: v.array(HostCpu), nodes: v.array(NumaNode) }),
  pageKiB: described(count, 'The system page size'),
  presentCpus: described(ids, 'Present CPUs, online or not'),
}));

export const AllocPagesBody = named('AllocPagesRequest', 'Size a huge page pool (virsh allocpages)', v.strictObject({
  pageSizeKiB: described(v.pipe(v.number(), v.safeInteger(), v.minValue(1)), 'A huge page size the host has'),
  count,
  cell: v.optional(described(count, 'A NUMA node; the host-wide pool when absent')),
  add: v.optional(described(v.boolean(), 'Add count pages to the pool rather than set its size')),
}));

export const NodeStats = named('NodeStats', 'Host counters (nodememstats: KiB; nodecpustats: ns), in libvirt\'s field names', v.strictObject({
  stats: v.array(v.strictObject({ field: v.string(), value: count })),
}));

export const CpuModelList = named('CpuModelList', 'CPU model names for an architecture (virsh cpu-models), sorted', v.strictObject({
  models: v.array(v.string()),
}));
