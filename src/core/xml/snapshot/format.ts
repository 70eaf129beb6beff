/** Step 4: the model back to libvirt-style XML (libvirt's element order, two-space indent). */
import { formatWithSpec } from '../codec.js';
import type { SnapshotDef } from './schema.js';
import { snapshotSpec } from './schema.js';

export interface SnapshotFormatOptions {
  /**
   * The domain's UUID, written as `<domain><uuid>` when the snapshot carries no domain
   * definition (as libvirt's virDomainSnapshotDefFormat does with its uuid argument).
   */
  domainUuid?: string;
}

export function formatSnapshotXml(def: SnapshotDef, opts: SnapshotFormatOptions = {}): string {
  const withDomain = def.domain === undefined && opts.domainUuid !== undefined ? { ...def, domain: { uuid: opts.domainUuid } } : def;
  return formatWithSpec(snapshotSpec, withDomain, 'domainsnapshot', '');
}
