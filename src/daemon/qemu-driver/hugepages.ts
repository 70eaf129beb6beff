/**
 * Huge pages at start (docs/driver.md, "Huge pages at start"): first the pure check that the
 * host's pools have the free pages each guest cell needs on the nodes it may use
 * (core/placement/hugepages-fit.ts, HUGEPAGES_INSUFFICIENT before anything runs), then one
 * hugetlbfs mount per page size the domain uses: the host's own mount of that size when it has
 * one (e.g. /dev/hugepages), else this instance's RUN/hugepages-SIZEkB, mounted here when missing.
 * Mounts another virtkit instance made are left alone, so side-by-side daemons never share one.
 */
import { join } from 'node:path';
import { VirtkitError } from '../../core/errors.js';
import { checkHugepagesFit, hugepageDemands } from '../../core/placement/hugepages-fit.js';
import type { HostNumaTopology } from '../../core/placement/topology.js';
import type { HugepageDir } from '../../core/qemu/argv/types.js';
import type { DomainDef } from '../../core/xml/domain/index.js';
import type { HugetlbfsMounter } from '../../host/hugetlbfs.js';
import type { HostMemoryFacts } from '../../host/memory-facts.js';

export interface HugepageHost {
  readonly facts: () => Promise<HostMemoryFacts>;
  readonly topology: () => Promise<HostNumaTopology>;
  readonly mount: HugetlbfsMounter;
}

/** The directory an instance mounts its own hugetlbfs of `sizeKiB` pages on (libvirt style: hugepages-2048kB). */
const ownMountDir = (root: string, sizeKiB: number): string => join(root, `hugepages-${sizeKiB}kB`);

/**
 * The hugetlbfs dirs for `def`'s page sizes (undefined without <hugepages>), after checking that the
 * pools hold its pages. `mountRoot`: where this instance mounts its own (absent: it never mounts, and
 * a page size without a host mount is refused as before).
 */
export async function prepareHugepages(def: DomainDef, host: HugepageHost, mountRoot: string | undefined): Promise<HugepageDir[] | undefined> {
  if (def.memoryBacking?.hugepages === undefined) return undefined;
  const [facts, topology] = await Promise.all([host.facts(), host.topology()]);
  checkHugepagesFit(def, topology, facts.defaultHugepageKiB);
  const sizes = [...new Set(hugepageDemands(def, facts.defaultHugepageKiB, []).map((d) => d.sizeKiB))];
  const dirs: HugepageDir[] = [];
  for (const sizeKiB of sizes) {
    const own = mountRoot === undefined ? undefined : ownMountDir(mountRoot, sizeKiB);
    const found = facts.hugetlbfs.find((m) => m.sizeKiB === sizeKiB && (m.virtkit !== true || m.path === own));
    let dir = found?.path;
    if (dir === undefined) {
      if (own === undefined) {
        throw new VirtkitError('INVALID_ARGUMENT', `/domain/memoryBacking/hugepages: the host has no hugetlbfs mount for ${sizeKiB} KiB pages`);
      }
      await host.mount(own, sizeKiB);
      dir = own;
    }
    dirs.push({ sizeKiB, dir, ...(sizeKiB === facts.defaultHugepageKiB ? { default: true } : {}) });
  }
  return dirs;
}
