/**
 * The daemon's only door to domain XML: everything else in src/daemon (and
 * the QEMU driver) imports these functions and types from here, not from
 * src/core/xml/domain, so that what the daemon needs from the XML model
 * stays in one place:
 *   - parse(xml) -> DomainDef, throwing VirtkitError (INVALID_XML, XML_*);
 *   - prepare(def) filling defaults (uuid, MACs, controllers, addresses),
 *     without device aliases (those belong to the live XML only);
 *   - format(def) -> XML, with the runtime `id` on the root when given;
 *   - from a DomainDef: name, uuid, type, OS type, vCPU count, maximum and
 *     current memory in KiB, title (`summarizeDomain`).
 */
import { randomBytes } from 'node:crypto';
import { VirtkitError } from '../core/errors.js';
import {
  formatDomainXml, parseDomainXml, prepareDomain as prepareCore, stripAliases, type DomainDef as CoreDomainDef,
  type PrepareContext as CorePrepareContext,
} from '../core/xml/domain/index.js';

export type DomainDef = CoreDomainDef;
export type PrepareContext = CorePrepareContext;

/** What list, dominfo and the registry need to know about a definition. */
export interface DomainSummary {
  readonly name: string;
  readonly uuid: string;
  readonly type: string;
  readonly osType: string;
  readonly vcpus: number;
  readonly maxMemoryKiB: number;
  readonly currentMemoryKiB: number;
  readonly title?: string;
}

export const defaultPrepareContext: PrepareContext = { random: (n) => randomBytes(n) };

/** Parses a definition; a runtime `id` in it is ignored, as libvirt ignores it. */
export function parseDomain(xml: string): DomainDef {
  const def = parseDomainXml(xml);
  delete def.id;
  return def;
}

/**
 * A definition a user gives (define, create, edit) without the disks' `<mirror>`: as libvirt, it
 * is a running block job's state, shown in the live XML and ignored in a definition (the job's own
 * record keeps it across restarts). Changes `def`.
 */
export function withoutRunState(def: DomainDef): DomainDef {
  for (const disk of def.devices?.disk ?? []) delete disk.mirror;
  return def;
}

/**
 * Fills defaults; the result always has a uuid. It is the persistent form:
 * addresses, MACs and uuid stay, device aliases do not (as libvirt, they
 * exist only in the live XML; the driver assigns them again at start).
 */
export function prepareDomain(def: DomainDef, ctx: PrepareContext = defaultPrepareContext): DomainDef {
  return stripAliases(prepareCore(def, ctx));
}

/** A definition without its run-time aliases (for one stored before they were left out). */
export function persistentForm(def: DomainDef): DomainDef {
  return stripAliases(def);
}

export function formatDomain(def: DomainDef, opts: { id?: number } = {}): string {
  return formatDomainXml(opts.id === undefined ? def : { ...def, id: opts.id });
}

export function summarizeDomain(def: DomainDef): DomainSummary {
  if (def.uuid === undefined) {
    throw new VirtkitError('INTERNAL_ERROR', `domain '${def.name}' has no uuid: prepareDomain was not called`);
  }
  const max = def.memory?.value ?? 0;
  return {
    name: def.name,
    uuid: def.uuid,
    type: def.type,
    osType: def.os?.type?.value ?? 'hvm',
    vcpus: def.vcpu?.value ?? 1,
    maxMemoryKiB: max,
    currentMemoryKiB: def.currentMemory?.value ?? max,
    ...(def.title === undefined ? {} : { title: def.title }),
  };
}
