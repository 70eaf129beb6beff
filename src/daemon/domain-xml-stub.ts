/**
 * TEMPORARY stand-in for src/core/xml/domain (being written by the lead): just
 * enough of parse -> fill defaults -> format for the daemon to define, list
 * and dump domains. It keeps the document as a generic element tree, so every
 * element the user wrote survives a round-trip; it validates nothing beyond
 * the root, <name> and <uuid>. Only domain-xml.ts imports this file; delete it
 * when the real module lands.
 */
import { SaxesParser } from 'saxes';
import { VirtkitError } from '../core/errors.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface StubDomainDef {
  type: string;
  name: string;
  uuid?: string;
  root: XmlElement;
}

function parseTree(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let failure: Error | undefined;
  parser.on('doctype', () => {
    failure ??= new Error('DOCTYPE declarations are not allowed');
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = { name: tag.name, attrs: { ...tag.attributes }, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  const addText = (t: string): void => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('closetag', () => {
    stack.pop();
  });
  parser.on('error', (e) => {
    failure ??= e;
  });
  try {
    parser.write(xml).close();
  } catch (e) {
    failure ??= e instanceof Error ? e : new Error(String(e));
  }
  if (failure || !root) {
    throw new VirtkitError('INVALID_XML', `domain XML is not well-formed: ${failure?.message ?? 'no root element'}`, {
      cause: failure,
    });
  }
  return root;
}

const child = (el: XmlElement, name: string): XmlElement | undefined => el.children.find((c) => c.name === name);
const textOf = (el: XmlElement | undefined): string | undefined => el?.text.trim();

export function stubParse(xml: string): StubDomainDef {
  const root = parseTree(xml);
  if (root.name !== 'domain') {
    throw new VirtkitError('INVALID_XML', `expected a <domain> root element, found <${root.name}>`);
  }
  const type = root.attrs['type'];
  if (type === undefined || type === '') {
    throw new VirtkitError('XML_MISSING', "missing attribute /domain/@type (use type='kvm' or type='qemu')");
  }
  delete root.attrs['id']; // a runtime id in an input document is ignored, as libvirt does
  const name = textOf(child(root, 'name'));
  if (name === undefined || name === '') {
    throw new VirtkitError('XML_MISSING', 'missing element /domain/name: every domain needs a name');
  }
  const uuid = textOf(child(root, 'uuid'));
  if (uuid !== undefined && !/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(uuid)) {
    throw new VirtkitError('XML_INVALID_VALUE', `/domain/uuid: '${uuid}' is not a UUID`);
  }
  return { type, name, ...(uuid === undefined ? {} : { uuid: normalizeUuid(uuid) }), root };
}

function normalizeUuid(u: string): string {
  const h = u.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function stubPrepare(def: StubDomainDef, uuid: () => string): StubDomainDef {
  // The tree is what gets formatted: the uuid must be in it, whoever set def.uuid.
  const value = def.uuid ?? uuid();
  const children = def.root.children.filter((c) => c.name !== 'uuid');
  const at = children.findIndex((c) => c.name === 'name');
  children.splice(at + 1, 0, { name: 'uuid', attrs: {}, children: [], text: value });
  return { ...def, uuid: value, root: { ...def.root, children } };
}

const esc = (s: string, quote: boolean): string => {
  const t = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return quote ? t.replace(/'/g, '&apos;') : t;
};

export function stubFormat(def: StubDomainDef, id?: number): string {
  const root = id === undefined ? def.root : { ...def.root, attrs: { ...def.root.attrs, id: String(id) } };
  const lines: string[] = [];
  const walk = (el: XmlElement, indent: string): void => {
    const attrs = Object.entries(el.attrs).map(([k, v]) => ` ${k}='${esc(v, true)}'`).join('');
    const text = el.text.trim();
    if (el.children.length === 0) {
      lines.push(text === '' ? `${indent}<${el.name}${attrs}/>` : `${indent}<${el.name}${attrs}>${esc(text, false)}</${el.name}>`);
      return;
    }
    lines.push(`${indent}<${el.name}${attrs}>`);
    for (const c of el.children) walk(c, `${indent}  `);
    lines.push(`${indent}</${el.name}>`);
  };
  walk(root, '');
  return `${lines.join('\n')}\n`;
}

const KIB: Record<string, number> = {
  b: 1 / 1024, bytes: 1 / 1024, k: 1, kib: 1, kb: 1000 / 1024, m: 1024, mib: 1024, mb: 1e6 / 1024,
  g: 1024 ** 2, gib: 1024 ** 2, gb: 1e9 / 1024, t: 1024 ** 3, tib: 1024 ** 3, tb: 1e12 / 1024,
};

function memoryKiB(el: XmlElement | undefined): number | undefined {
  const t = textOf(el);
  if (t === undefined || el === undefined) return undefined;
  const factor = KIB[(el.attrs['unit'] ?? 'KiB').toLowerCase()] ?? 1;
  const n = Number(t);
  return Number.isFinite(n) ? Math.ceil(n * factor) : undefined;
}

export function stubSummary(def: StubDomainDef): {
  osType: string; vcpus: number; maxMemoryKiB: number; currentMemoryKiB: number; title?: string;
} {
  const r = def.root;
  const max = memoryKiB(child(r, 'memory')) ?? 0;
  const os = child(r, 'os');
  const title = textOf(child(r, 'title'));
  return {
    osType: textOf(os ? child(os, 'type') : undefined) ?? 'hvm',
    vcpus: Number(textOf(child(r, 'vcpu')) ?? '1') || 1,
    maxMemoryKiB: max,
    currentMemoryKiB: memoryKiB(child(r, 'currentMemory')) ?? max,
    ...(title === undefined ? {} : { title }),
  };
}
