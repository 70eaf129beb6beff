/** Step 4: the model back to libvirt-style XML (two-space indent, single-quoted attributes, libvirt's element order). */
import { formatWithSpec } from '../codec.js';
import type { DomainDef } from './schema/domain.js';
import { domainSpec } from './schema/domain.js';

export function formatDomainXml(def: DomainDef): string {
  return formatWithSpec(domainSpec, def, 'domain', '');
}
