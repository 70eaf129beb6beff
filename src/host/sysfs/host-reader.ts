/**
 * The host facts the daemon's host commands read (capabilities, freecell, freepages,
 * nodecpumap...), all under one root: '/' on a real host, a fake tree in tests. The daemon's
 * composition root builds one with its `hostRoot` option; the engine only calls it.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostNumaTopology } from '../../core/placement/topology.js';
import type { HostCpuId } from '../../core/qemu/host-caps/host-xml.js';
import { readCpuId } from '../cpuinfo.js';
import { parseCpuList } from '../cpu-list.js';
import { readHostMemoryFacts, type HostMemoryFacts } from '../memory-facts.js';
import { readCpuStats, readMemStats, type StatField } from '../node-stats.js';
import { readDmi } from './dmi.js';
import { setPagePool, type PagePoolRequest, type PagePoolResult } from './hugepages.js';
import { readHostTopology } from './topology.js';

export interface HostReader {
  /** Prefix for /sys and /proc. */
  readonly root: string;
  topology(): Promise<HostNumaTopology>;
  /** hugetlbfs mounts, the default huge page size and the NUMA node ids (../memory-facts.ts). */
  memoryFacts(): Promise<HostMemoryFacts>;
  /** Whether the host has IOMMU groups (libvirt's virHostHasIOMMU: /sys/kernel/iommu_groups not empty). */
  iommu(): Promise<boolean>;
  /** Present CPUs (cpu/present), online or not; the online ones where the file is missing. */
  presentCpus(): Promise<number[]>;
  /** Sizes a huge page pool (./hugepages.ts). */
  setPagePool(r: PagePoolRequest): Promise<PagePoolResult>;
  /** nodememstats: the host's (or one cell's) memory counters, KiB. */
  memStats(cell?: number): Promise<StatField[]>;
  /** nodecpustats: the host's (or one CPU's) time counters, ns. */
  cpuStats(cpu?: number): Promise<StatField[]>;
  /** The host CPU's vendor, signature and microcode (/proc/cpuinfo); undefined without one. */
  cpuId(): Promise<HostCpuId | undefined>;
  /** The SMBIOS strings of /sys/class/dmi/id, by file name. */
  dmi(): Promise<Record<string, string>>;
}

export function hostReader(root = '/'): HostReader {
  return {
    root,
    topology: () => readHostTopology({ root }),
    memoryFacts: () => readHostMemoryFacts({ root }),
    iommu: async () => (await readdir(join(root, 'sys/kernel/iommu_groups')).catch(() => [])).length > 0,
    presentCpus: async () => {
      const text = await readFile(join(root, 'sys/devices/system/cpu/present'), 'utf8').catch(() => undefined);
      return text === undefined ? (await readHostTopology({ root })).cpus.map((c) => c.id) : parseCpuList(text);
    },
    setPagePool: (r) => setPagePool(root, r),
    memStats: (cell) => readMemStats(root, cell),
    cpuStats: (cpu) => readCpuStats(root, cpu),
    dmi: () => readDmi(root),
    cpuId: () => readCpuId(root),
  };
}
