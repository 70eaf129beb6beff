/**
 * Domain XML: parse -> defaults -> validate -> format, one module each.
 *   parseDomainXml   XML text -> DomainDef, refusing unknown elements (parse.ts)
 *   prepareDomain    fills defaults and validates (defaults/, validate.ts)
 *   formatDomainXml  DomainDef -> XML text (format.ts)
 */
export { parseDomainXml } from './parse.js';
export { formatDomainXml } from './format.js';
export type { DomainDef, DevicesDef } from './schema/domain.js';
export { checkDomainXml } from './parse.js';
export { domainProblems, validateDomain } from './validate.js';
export { prepareDomain, assignAliases, stripAliases } from './defaults/index.js';
export type { PrepareContext, PrepareCaps } from './defaults/index.js';
export { parseDiskXml } from './device-xml.js';
export type { DiskDef } from './schema/disk.js';
