/**
 * A placement written into a domain definition as an expert would write it by hand: one
 * vcpupin per vCPU, emulatorpin on the shared CPUs, numatune memory mode='strict' on the node
 * with a memnode per guest cell, huge pages of the placed size for every guest cell, and (when
 * the definition has none) one guest NUMA cell holding every vCPU and a CPU topology whose
 * threads match the host siblings the vCPUs got. Pure: the daemon records the result as the
 * domain's live XML.
 */
import type { DomainDef } from '../xml/domain/index.js';
import { formatCpuset } from './cpuset.js';
import type { Placement } from './types.js';

type Cell = NonNullable<NonNullable<NonNullable<DomainDef['cpu']>['numa']>['cell']>[number];

export function applyPlacement(def: DomainDef, p: Placement): DomainDef {
  const n = p.vcpus.length;
  const node = String(p.node);
  const given = def.cpu?.numa?.cell ?? [];
  const cells: Cell[] = given.length > 0 ? given : [{ id: 0, cpus: formatCpuset(p.vcpus.map((_, i) => i)), memory: p.memoryKiB }];
  const cellIds = cells.map((c, i) => c.id ?? i);
  // placement='auto' is resolved now: the live definition is the static pinning it chose
  const vcpu = { ...(def.vcpu ?? { value: n }), placement: 'static' as const };
  const out: DomainDef = {
    ...def,
    vcpu,
    cputune: {
      ...def.cputune,
      vcpupin: p.vcpus.map((cpu, i) => ({ vcpu: i, cpuset: String(cpu) })),
      emulatorpin: { cpuset: formatCpuset(p.emulator) },
    },
    numatune: {
      memory: { mode: 'strict', nodeset: node },
      memnode: cellIds.map((id) => ({ cellid: id, mode: 'strict' as const, nodeset: node })),
    },
    cpu: {
      ...def.cpu,
      topology: def.cpu?.topology ?? { sockets: 1, dies: 1, cores: n / p.guestThreads, threads: p.guestThreads },
      numa: { ...def.cpu?.numa, cell: cells },
    },
  };
  if (p.hugepages !== undefined) {
    out.memoryBacking = { ...def.memoryBacking, hugepages: { page: [{ size: p.hugepages.sizeKiB, nodeset: formatCpuset(cellIds) }] } };
  }
  return out;
}
