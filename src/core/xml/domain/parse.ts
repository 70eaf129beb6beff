/** Step 1 of parse -> defaults -> validate -> format: XML text to the typed model, refusing anything unknown. */
import { VirtkitError } from '../../errors.js';
import { parseWithSpec } from '../codec.js';
import { parseXmlTree } from '../tree.js';
import type { DomainDef } from './schema/domain.js';
import { domainSpec } from './schema/domain.js';

export function parseDomainXml(xml: string): DomainDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'domain') {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <domain>`, { details: { path: root.path } });
  }
  return parseWithSpec(domainSpec, root) as DomainDef;
}
