/**
 * A small element tree for the XML the install builds, written as virt-install writes it: two-space
 * indentation, double-quoted attributes in the order they were given, empty elements self-closed.
 */
import { escapeXmlAttr, escapeXmlText } from '../xml/tree.js';

export interface XNode {
  name: string;
  attrs: Array<[string, string]>;
  children: XNode[];
  text: string | null;
}

type AttrValue = string | number | null | undefined;

/** An element; attributes whose value is null/undefined are left out. */
export function el(name: string, attrs: Record<string, AttrValue> = {}, body: XNode[] | string = []): XNode {
  const a: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(attrs)) if (v !== null && v !== undefined) a.push([k, String(v)]);
  return typeof body === 'string' ? { name, attrs: a, children: [], text: body } : { name, attrs: a, children: body, text: null };
}

export function formatXml(node: XNode, indent = ''): string {
  const attrs = node.attrs.map(([k, v]) => ` ${k}="${escapeXmlAttr(v).replace(/&apos;/g, "'")}"`).join('');
  if (node.text !== null) return `${indent}<${node.name}${attrs}>${escapeXmlText(node.text)}</${node.name}>\n`;
  if (node.children.length === 0) return `${indent}<${node.name}${attrs}/>\n`;
  return `${indent}<${node.name}${attrs}>\n${node.children.map((c) => formatXml(c, `${indent}  `)).join('')}${indent}</${node.name}>\n`;
}
