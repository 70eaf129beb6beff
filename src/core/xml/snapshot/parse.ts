/** Step 1 of parse -> defaults -> validate -> format: XML text to the model, refusing anything unknown. */
import { VirtkitError } from '../../errors.js';
import { parseWithSpec } from '../codec.js';
import { parseXmlTree } from '../tree.js';
import type { SnapshotDef } from './schema.js';
import { snapshotSpec } from './schema.js';

export function parseSnapshotXml(xml: string): SnapshotDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'domainsnapshot') {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <domainsnapshot>`, { details: { path: root.path } });
  }
  return parseWithSpec(snapshotSpec, root) as SnapshotDef;
}
