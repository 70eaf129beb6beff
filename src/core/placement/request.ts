/**
 * The placement request a domain definition makes: its vCPUs (the maximum, so that hot-plugged
 * vCPUs have their threads), its memory (<memory>, the most it can have) and the page size of
 * <memoryBacking><hugepages>. The SMT policy has no libvirt XML; the caller passes it (an install
 * option, or `prefer`).
 */
import { VirtkitError } from '../errors.js';
import type { DomainDef } from '../xml/domain/index.js';
import type { PlacementRequest, SmtPolicy } from './types.js';

export interface RequestContext {
  /** The kernel's default huge page size (KiB), for <hugepages/> without a <page>. */
  readonly defaultHugepageKiB: number;
  readonly smt?: SmtPolicy;
}

export function placementRequest(def: DomainDef, ctx: RequestContext): PlacementRequest {
  const vcpus = def.vcpu?.value ?? 1;
  const memoryKiB = def.memory?.value;
  if (memoryKiB === undefined) throw new VirtkitError('XML_MISSING', '/domain/memory: placement needs the domain\'s memory size', { details: { path: '/domain/memory' } });
  const hp = def.memoryBacking?.hugepages;
  const sizes = new Set((hp?.page ?? []).map((p) => p.size));
  if (sizes.size > 1) {
    throw new VirtkitError('XML_UNSUPPORTED', `/domain/memoryBacking/hugepages/page: automatic placement takes one huge page size, the domain has ${[...sizes].join(', ')} KiB`,
      { details: { path: '/domain/memoryBacking/hugepages/page' } });
  }
  const hugepageKiB = hp === undefined ? undefined : ([...sizes][0] ?? ctx.defaultHugepageKiB);
  return {
    domain: def.name,
    vcpus,
    memoryKiB,
    ...(hugepageKiB === undefined ? {} : { hugepageKiB }),
    ...(ctx.smt === undefined ? {} : { smt: ctx.smt }),
  };
}
