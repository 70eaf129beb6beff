/** Step 1 of parse -> defaults -> validate -> format: XML text to the typed model, refusing anything unknown. */
import { VirtkitError } from '../../errors.js';
import { parseWithSpec } from '../codec.js';
import { parseXmlTree } from '../tree.js';
import type { DomainDef } from './schema/domain.js';
import { domainSpec } from './schema/domain.js';
import { domainProblems } from './validate.js';

export function parseDomainXml(xml: string): DomainDef {
  const root = parseXmlTree(xml);
  if (root.name !== 'domain') {
    throw new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <domain>`, { details: { path: root.path } });
  }
  return parseWithSpec(domainSpec, root) as DomainDef;
}

/**
 * Every problem in a document, for `virtkit validate`: parse problems (each
 * unknown or bad element/attribute, not just the first) and, when the
 * document parses, the cross-element rules.
 */
export function checkDomainXml(xml: string): VirtkitError[] {
  let root;
  try {
    root = parseXmlTree(xml);
  } catch (e) {
    if (e instanceof VirtkitError) return [e];
    throw e;
  }
  if (root.name !== 'domain') {
    return [new VirtkitError('INVALID_XML', `the root element is <${root.name}>, expected <domain>`, { details: { path: root.path } })];
  }
  const problems: VirtkitError[] = [];
  const def = parseWithSpec(domainSpec, root, problems) as DomainDef;
  if (problems.length > 0) return problems;
  return domainProblems(def);
}
