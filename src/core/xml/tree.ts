/**
 * Well-formed XML -> a small element tree, and back.
 *
 * Parsing is done by saxes (a strict, non-validating XML parser). We refuse
 * DOCTYPE declarations outright, so no entity can ever be declared, let alone
 * expanded; only the five predefined entities and character references exist.
 */
import { SaxesParser } from 'saxes';
import { VirtkitError } from '../errors.js';

export interface XmlElement {
  name: string;
  /** Attributes in document order. */
  attrs: Array<[string, string]>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element (not trimmed). */
  text: string;
  /** Element path for error messages, e.g. /domain/devices/disk[2]/driver. */
  path: string;
  line: number;
}

export function parseXmlTree(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: VirtkitError | undefined;
  const fail = (msg: string): never => {
    throw new VirtkitError('INVALID_XML', msg, { details: { line: parser.line, column: parser.column } });
  };

  parser.on('doctype', () => fail(`line ${parser.line}: DOCTYPE declarations are not allowed (virtkit never expands entities)`));
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    const attrs: Array<[string, string]> = Object.entries(tag.attributes).map(([k, v]) => [k, String(v)]);
    const el: XmlElement = { name: tag.name, attrs, children: [], text: '', path: '', line: parser.line };
    if (parent) parent.children.push(el);
    else if (root) fail('more than one root element');
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const onText = (t: string): void => {
    const cur = stack[stack.length - 1];
    if (cur) cur.text += t;
    else if (t.trim() !== '') fail(`line ${parser.line}: text outside the root element`);
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('error', (e) => {
    failure ??= new VirtkitError('INVALID_XML', `XML is not well-formed: ${e.message}`, {
      cause: e,
      details: { line: parser.line, column: parser.column },
    });
    throw failure;
  });

  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof VirtkitError) throw e;
    throw new VirtkitError('INVALID_XML', `XML is not well-formed: ${(e as Error).message}`, { cause: e });
  }
  if (!root) throw new VirtkitError('INVALID_XML', 'the document is empty: no root element');
  assignPaths(root, `/${root.name}`);
  return root;
}

/** Paths carry an index only where siblings share a name: /domain/devices/disk[2]/driver. */
function assignPaths(el: XmlElement, path: string): void {
  el.path = path;
  const counts = new Map<string, number>();
  for (const c of el.children) counts.set(c.name, (counts.get(c.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const c of el.children) {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    assignPaths(c, (counts.get(c.name) ?? 0) > 1 ? `${path}/${c.name}[${n}]` : `${path}/${c.name}`);
  }
}

export function escapeXmlAttr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

export function escapeXmlText(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Serializes a raw subtree (used for <metadata> content we keep verbatim). */
export function formatXmlTree(el: XmlElement, indent: string): string {
  const attrs = el.attrs.map(([k, v]) => ` ${k}='${escapeXmlAttr(v)}'`).join('');
  const text = el.text.trim();
  if (el.children.length === 0) {
    return text === '' ? `${indent}<${el.name}${attrs}/>\n` : `${indent}<${el.name}${attrs}>${escapeXmlText(text)}</${el.name}>\n`;
  }
  const inner = el.children.map((c) => formatXmlTree(c, indent + '  ')).join('');
  return `${indent}<${el.name}${attrs}>\n${inner}${indent}</${el.name}>\n`;
}
