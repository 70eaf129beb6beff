/**
 * The host facts the daemon's host commands read (capabilities, freecell, freepages,
 * nodecpumap...), all under one root: '/' on a real host, a fake tree in tests. The daemon's
 * composition root builds one with its `hostRoot` option; the engine only calls it.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostNumaTopology } from '../../core/placement/topology.js';
import { readHostTopology } from './topology.js';

export interface HostReader {
  /** Prefix for /sys and /proc. */
  readonly root: string;
  topology(): Promise<HostNumaTopology>;
  /** Whether the host has IOMMU groups (libvirt's virHostHasIOMMU: /sys/kernel/iommu_groups not empty). */
  iommu(): Promise<boolean>;
}

export function hostReader(root = '/'): HostReader {
  return {
    root,
    topology: () => readHostTopology({ root }),
    iommu: async () => (await readdir(join(root, 'sys/kernel/iommu_groups')).catch(() => [])).length > 0,
  };
}
