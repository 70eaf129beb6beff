/**
 * Domain snapshot XML (libvirt's domainsnapshot): parse -> defaults -> validate -> format.
 *   parseSnapshotXml        XML text -> SnapshotDef, refusing unknown elements (parse.ts)
 *   snapshotDefaults        libvirt's parse-time defaults, per mode (defaults.ts)
 *   validateSnapshot        libvirt's rules on the definition alone (validate.ts)
 *   prepareSnapshotCreate   snapshot-create: the record, memory and per-disk defaults given the
 *                           domain, its state and the flags, and what virtkit supports (create.ts)
 *   formatSnapshotXml       SnapshotDef -> XML text (format.ts)
 *
 * Imports: core/errors, core/xml's machinery and the domain's schema; nothing else.
 */
export { parseSnapshotXml } from './parse.js';
export { formatSnapshotXml } from './format.js';
export type { SnapshotFormatOptions } from './format.js';
export { snapshotDefaults } from './defaults.js';
export type { SnapshotMode, SnapshotDefaultsContext } from './defaults.js';
export { snapshotProblems, validateSnapshot } from './validate.js';
export { alignSnapshotDisks, overlayPath } from './align.js';
export { checkSnapshotFlags, prepareSnapshotCreate } from './create.js';
export type { SnapshotCreateContext, SnapshotFlags } from './create.js';
export { checkSnapshotSupport, snapshotSupportProblems } from './support.js';
export { SNAPSHOT_STATES, snapshotSpec } from './schema.js';
export type { SnapshotDef, SnapshotDiskDef, SnapshotDomain, SnapshotLocation, SnapshotMemory, SnapshotState } from './schema.js';
