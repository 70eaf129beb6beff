/**
 * The daemon's only door to domain XML. Everything else in src/daemon imports
 * these four functions and two types from here, so moving from the temporary
 * stub to src/core/xml/domain (parseDomainXml / prepareDomain /
 * formatDomainXml) is a change to this one file.
 *
 * What the daemon needs from the real module:
 *   - parse(xml) -> DomainDef, throwing VirtkitError (INVALID_XML, XML_*);
 *   - prepare(def) filling a missing uuid (and MACs, addresses...);
 *   - format(def) -> XML, with the runtime `id` attribute on the root when given;
 *   - from a DomainDef: name, uuid, type, OS type, vCPU count, maximum and
 *     current memory in KiB, title (see `summarizeDomain`).
 */
import { randomUUID } from 'node:crypto';
import { VirtkitError } from '../core/errors.js';
import { stubFormat, stubParse, stubPrepare, stubSummary, type StubDomainDef } from './domain-xml-stub.js';

export type DomainDef = StubDomainDef;

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

export interface PrepareContext {
  readonly randomUuid: () => string;
}

export const defaultPrepareContext: PrepareContext = { randomUuid: randomUUID };

export function parseDomain(xml: string): DomainDef {
  return stubParse(xml);
}

/** Fills defaults; the result always has a uuid. */
export function prepareDomain(def: DomainDef, ctx: PrepareContext = defaultPrepareContext): DomainDef {
  return stubPrepare(def, ctx.randomUuid);
}

export function formatDomain(def: DomainDef, opts: { id?: number } = {}): string {
  return stubFormat(def, opts.id);
}

export function summarizeDomain(def: DomainDef): DomainSummary {
  if (def.uuid === undefined) {
    throw new VirtkitError('INTERNAL_ERROR', `domain '${def.name}' has no uuid: prepareDomain was not called`);
  }
  return { name: def.name, uuid: def.uuid, type: def.type, ...stubSummary(def) };
}
