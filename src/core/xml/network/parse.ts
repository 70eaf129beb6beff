/**
 * Step 1 of parse -> defaults -> validate -> format for networks: XML text to
 * the typed model, refusing anything unknown with its element path.
 */
import { VirtkitError } from '../../errors.js';
import { formatWithSpec, parseWithSpec } from '../codec.js';
import type { XmlElement } from '../tree.js';
import { parseXmlTree } from '../tree.js';
import type { NetworkDef } from './schema.js';
import { networkSpec } from './schema.js';
import { networkProblems } from './validate.js';

function rootOf(xml: string): XmlElement {
  const root = parseXmlTree(xml);
  if (root.name !== 'network') {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <network>`, { details: { path: root.path } });
  }
  return root;
}

export function parseNetworkXml(xml: string): NetworkDef {
  return parseWithSpec(networkSpec, rootOf(xml)) as NetworkDef;
}

/** Parses an element of the network schema on its own (net-update's sections: <host>, <range>, <portgroup>...). */
export function parseNetworkElement<T>(spec: Parameters<typeof parseWithSpec>[0], xml: string, expect: string): T {
  const el = parseXmlTree(xml);
  if (el.name !== expect) {
    throw new VirtkitError('INVALID_XML', `the element is <${el.name}>, expected <${expect}>`, { details: { path: el.path } });
  }
  return parseWithSpec(spec, el) as T;
}

export function formatNetworkXml(def: NetworkDef): string {
  return formatWithSpec(networkSpec, def, 'network', '');
}

/** Every problem in a network document (for `virtkit validate`): parse problems, else the rules. */
export function checkNetworkXml(xml: string): VirtkitError[] {
  let root;
  try {
    root = rootOf(xml);
  } catch (e) {
    if (e instanceof VirtkitError) return [e];
    throw e;
  }
  const problems: VirtkitError[] = [];
  const def = parseWithSpec(networkSpec, root, problems) as NetworkDef;
  return problems.length > 0 ? problems : networkProblems(def);
}
