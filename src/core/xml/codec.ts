/**
 * The generic codec: XmlElement + spec -> model, and model + spec -> XML text.
 * Nothing the spec does not name is accepted: unknown attributes, children and
 * stray text are refused with XML_UNSUPPORTED and the element path.
 */
import { VirtkitError } from '../errors.js';
import type { AnySpec, ElemSpec, Scaled } from './schema.js';
import { resolveSpec } from './schema.js';
import type { XmlElement } from './tree.js';
import { escapeXmlAttr, escapeXmlText, formatXmlTree } from './tree.js';
import { scaleToUnit } from './units.js';
import { uint } from './values.js';

type Obj = Record<string, unknown>;

function valueError(path: string, raw: string, reason: string, code: 'XML_INVALID_VALUE' | 'XML_INVALID_UNIT' = 'XML_INVALID_VALUE'): VirtkitError {
  return new VirtkitError(code, `${path}: '${raw}' ${reason}`, { details: { path, value: raw } });
}

function parseScaled(el: XmlElement, sc: Scaled, rawValue: string, path: string, unit: string | undefined): number {
  let n: number;
  try {
    n = uint.parse(rawValue);
  } catch (e) {
    throw valueError(path, rawValue, (e as Error).message);
  }
  const u = unit ?? sc.default;
  try {
    return scaleToUnit(n, u, sc.out);
  } catch (e) {
    const unitPath = `${el.path}/@${sc.unitAttr ?? 'unit'}`;
    throw valueError(unit === undefined ? path : unitPath, unit ?? rawValue, (e as Error).message, 'XML_INVALID_UNIT');
  }
}

/**
 * Parses `el` by `spec`. Without `problems`, the first problem throws. With
 * it, every problem is recorded (for `virtkit validate`) and the offending
 * attribute or element is skipped, so one run reports them all.
 */
export function parseWithSpec(spec: AnySpec, el: XmlElement, problems?: VirtkitError[]): unknown {
  switch (spec.kind) {
    case 'raw':
      return cleanRaw(el);
    case 'custom':
      return spec.parse(el);
    case 'text': {
      if (el.attrs.length > 0) {
        const [k] = el.attrs[0] ?? ['?'];
        throw new VirtkitError('XML_UNSUPPORTED', `${el.path}/@${k}: unsupported attribute`, { details: { path: `${el.path}/@${k}` } });
      }
      rejectChildren(el, new Set());
      try {
        return spec.type.parse(el.text.trim());
      } catch (e) {
        throw valueError(el.path, el.text.trim(), (e as Error).message);
      }
    }
    case 'elem':
      return parseElem(spec, el, problems);
  }
}

/** Raw content is kept by value: no source positions, blank text dropped. */
function cleanRaw(el: XmlElement): XmlElement {
  return { name: el.name, attrs: el.attrs.map(([k, v]) => [k, v]), children: el.children.map(cleanRaw), text: el.text.trim(), path: '', line: 0 };
}

function guard<T>(problems: VirtkitError[] | undefined, fn: () => T): T | undefined {
  if (!problems) return fn();
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof VirtkitError)) throw e;
    problems.push(e);
    return undefined;
  }
}

function rejectChildren(el: XmlElement, allowed: Set<string>, note?: string, problems?: VirtkitError[]): void {
  for (const c of el.children) {
    if (!allowed.has(c.name)) {
      const err = new VirtkitError(
        'XML_UNSUPPORTED',
        `${c.path}: unsupported element <${c.name}> in <${el.name}>${note ? ` (${note})` : ''}; virtkit refuses configuration it would otherwise ignore`,
        { details: { path: c.path, element: c.name } },
      );
      if (!problems) throw err;
      problems.push(err);
    }
  }
}

function parseElem(spec: ElemSpec, el: XmlElement, problems?: VirtkitError[]): Obj {
  const out: Obj = {};
  const attrByXml = new Map<string, string>();
  for (const [key, a] of Object.entries(spec.attrs)) attrByXml.set(a.xml ?? key, key);
  const unitAttr = spec.scaled ? (spec.scaled.unitAttr ?? 'unit') : undefined;
  const seen = new Map<string, string>();
  for (const [name, value] of el.attrs) {
    if (name === unitAttr) continue;
    const key = attrByXml.get(name);
    if (key === undefined) {
      const err = new VirtkitError('XML_UNSUPPORTED', `${el.path}/@${name}: unsupported attribute '${name}' on <${el.name}>`, {
        details: { path: `${el.path}/@${name}` },
      });
      if (!problems) throw err;
      problems.push(err);
      continue;
    }
    seen.set(key, value);
  }
  const unit = unitAttr === undefined ? undefined : el.attrs.find(([k]) => k === unitAttr)?.[1];
  for (const [key, a] of Object.entries(spec.attrs)) {
    const raw = seen.get(key);
    const path = `${el.path}/@${a.xml ?? key}`;
    const v = guard(problems, () => {
      if (raw === undefined) {
        if (a.required) {
          throw new VirtkitError('XML_MISSING', `${path}: <${el.name}> needs the attribute '${a.xml ?? key}'`, { details: { path } });
        }
        return undefined;
      }
      if (spec.scaled && spec.scaled.field === key) return parseScaled(el, spec.scaled, raw, path, unit);
      try {
        return a.type.parse(raw);
      } catch (e) {
        throw valueError(path, raw, (e as Error).message);
      }
    });
    if (v !== undefined) out[key] = v;
  }

  const childByXml = new Map<string, string>();
  for (const [key, c] of Object.entries(spec.children)) childByXml.set(c.xml ?? key, key);
  rejectChildren(el, new Set(childByXml.keys()), spec.note, problems);
  for (const [key, c] of Object.entries(spec.children)) guard(problems, () => {
    const xmlName = c.xml ?? key;
    const els = el.children.filter((x) => x.name === xmlName);
    const cs = resolveSpec(c.spec as AnySpec);
    if (c.many) {
      if (els.length > 0) out[key] = els.map((x) => parseWithSpec(cs, x, problems));
    } else {
      if (els.length > 1) {
        const second = els[1];
        throw new VirtkitError('XML_DUPLICATE', `${second?.path ?? el.path}: <${xmlName}> may appear only once in <${el.name}>`, {
          details: { path: second?.path ?? el.path },
        });
      }
      const only = els[0];
      if (only) out[key] = parseWithSpec(cs, only, problems);
      else if (c.required) {
        throw new VirtkitError('XML_MISSING', `${el.path}: <${el.name}> needs a <${xmlName}> element`, { details: { path: el.path } });
      }
    }
  });

  const t = el.text.trim();
  const mixed = Object.keys(spec.children).length > 0;
  guard(problems, () => {
    if (spec.text && mixed && t === '') return;
    // Mixed content (text or children): an element with only children has no value.
    if (spec.text) {
      if (spec.scaled && spec.scaled.field === 'value') out['value'] = parseScaled(el, spec.scaled, t, el.path, unit);
      else {
        try {
          out['value'] = spec.text.parse(t);
        } catch (e) {
          throw valueError(el.path, t, (e as Error).message);
        }
      }
    } else if (t !== '') {
      throw new VirtkitError('XML_UNSUPPORTED', `${el.path}: unexpected text '${t.slice(0, 40)}' in <${el.name}>`, { details: { path: el.path } });
    }
  });
  return out;
}

// ---- formatting ----

export function formatWithSpec(spec: AnySpec, value: unknown, name: string, indent: string): string {
  switch (spec.kind) {
    case 'raw': {
      const el = value as XmlElement;
      return formatXmlTree({ ...el, name }, indent);
    }
    case 'custom':
      return formatXmlTree(spec.format(value, name), indent);
    case 'text':
      return `${indent}<${name}>${escapeXmlText(spec.type.format(value))}</${name}>\n`;
    case 'elem':
      return formatElem(spec, value as Obj, name, indent);
  }
}

function formatElem(spec: ElemSpec, v: Obj, name: string, indent: string): string {
  let attrs = '';
  for (const [key, a] of Object.entries(spec.attrs)) {
    const x = v[key];
    if (x === undefined) continue;
    attrs += ` ${a.xml ?? key}='${escapeXmlAttr(a.type.format(x))}'`;
    if (spec.scaled && spec.scaled.field === key) attrs += ` ${spec.scaled.unitAttr ?? 'unit'}='${spec.scaled.out}'`;
  }
  if (spec.scaled && spec.scaled.field === 'value') attrs = ` ${spec.scaled.unitAttr ?? 'unit'}='${spec.scaled.out}'` + attrs;
  let inner = '';
  for (const [key, c] of Object.entries(spec.children)) {
    const x = v[key];
    if (x === undefined) continue;
    const cs = resolveSpec(c.spec as AnySpec);
    const xmlName = c.xml ?? key;
    if (c.many) for (const item of x as unknown[]) inner += formatWithSpec(cs, item, xmlName, indent + '  ');
    else inner += formatWithSpec(cs, x, xmlName, indent + '  ');
  }
  if (spec.text && v['value'] !== undefined && inner === '') {
    return `${indent}<${name}${attrs}>${escapeXmlText(spec.text.format(v['value']))}</${name}>\n`;
  }
  if (inner === '') return `${indent}<${name}${attrs}/>\n`;
  return `${indent}<${name}${attrs}>\n${inner}${indent}</${name}>\n`;
}
