/**
 * A declarative description of an XML vocabulary. One spec per element says
 * which attributes and children it may have, in which order they are written,
 * and how their values parse. The generic codec (codec.ts) walks the spec to
 * parse and to format, so round-tripping is the same code path for every
 * element, and anything not in the spec is refused with its element path.
 *
 * TypeScript infers the model type of each spec (`Model<typeof spec>`).
 */
import type { ValueType } from './values.js';
import type { XmlElement } from './tree.js';
import type { OutUnit } from './units.js';

export interface AttrSpec<T, R extends boolean> {
  readonly type: ValueType<T>;
  readonly required: R;
  /** XML attribute name when it differs from the model key. */
  readonly xml?: string;
}

export function attr<T>(type: ValueType<T>, xml?: string): AttrSpec<T, false> {
  return xml === undefined ? { type, required: false } : { type, required: false, xml };
}
export function req<T>(type: ValueType<T>, xml?: string): AttrSpec<T, true> {
  return xml === undefined ? { type, required: true } : { type, required: true, xml };
}

export type AnySpec = ElemSpec | TextSpec<unknown> | RawSpec | CustomSpec<unknown>;

export interface ChildSpec<S extends AnySpec, M extends boolean, R extends boolean> {
  readonly spec: S | (() => S);
  readonly many: M;
  readonly required: R;
  /** Element name when it differs from the model key. */
  readonly xml?: string;
}

export function one<S extends AnySpec>(spec: S | (() => S), xml?: string): ChildSpec<S, false, false> {
  return xml === undefined ? { spec, many: false, required: false } : { spec, many: false, required: false, xml };
}
export function reqOne<S extends AnySpec>(spec: S | (() => S), xml?: string): ChildSpec<S, false, true> {
  return xml === undefined ? { spec, many: false, required: true } : { spec, many: false, required: true, xml };
}
export function many<S extends AnySpec>(spec: S | (() => S), xml?: string): ChildSpec<S, true, false> {
  return xml === undefined ? { spec, many: true, required: false } : { spec, many: true, required: false, xml };
}

type AttrMap = Record<string, AttrSpec<unknown, boolean>>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance: child specs of any shape
type ChildMap = Record<string, ChildSpec<any, boolean, boolean>>;

export interface Scaled {
  /** Model key (attribute or 'value' for text) that the unit= attribute scales. */
  readonly field: string;
  readonly out: OutUnit;
  /** Unit assumed when unit= is absent. */
  readonly default: string;
  /** Attribute carrying the unit (default 'unit'). */
  readonly unitAttr?: string;
}

export interface ElemSpec<A extends AttrMap = AttrMap, C extends ChildMap = ChildMap, T = unknown> {
  readonly kind: 'elem';
  readonly attrs: A;
  readonly children: C;
  readonly text?: ValueType<T>;
  readonly scaled?: Scaled;
  /** Free-text documentation shown by `virtkit validate` for unsupported children. */
  readonly note?: string;
}

export interface TextSpec<T> {
  readonly kind: 'text';
  readonly type: ValueType<T>;
  /** Allow (and drop) an empty element: <description/>. */
  readonly scaled?: Scaled;
}

/** Content kept verbatim (e.g. <metadata>). */
export interface RawSpec {
  readonly kind: 'raw';
}

/** Hand-written parse/format for the rare element the declarative form cannot express. */
export interface CustomSpec<T> {
  readonly kind: 'custom';
  parse(el: XmlElement): T;
  format(v: T, name: string): XmlElement;
}

export function elem<A extends AttrMap = Record<never, never>, C extends ChildMap = Record<never, never>, T = never>(def: {
  attrs?: A;
  children?: C;
  /** Text content allowed beside the children (model key `value`). */
  text?: ValueType<T>;
  scaled?: Scaled;
  note?: string;
}): ElemSpec<A, C, T> {
  for (const k of Object.keys(def.children ?? {})) {
    if (def.attrs && k in def.attrs) throw new Error(`schema bug: '${k}' is both an attribute and a child key; give the child another key`);
  }
  return {
    kind: 'elem',
    attrs: (def.attrs ?? {}) as A,
    children: (def.children ?? {}) as C,
    ...(def.text ? { text: def.text } : {}),
    ...(def.scaled ? { scaled: def.scaled } : {}),
    ...(def.note ? { note: def.note } : {}),
  };
}

/** An element with attributes and a text value (model key `value`). */
export function textElem<T, A extends AttrMap = Record<never, never>>(
  type: ValueType<T>,
  def: { attrs?: A; scaled?: Scaled } = {},
): ElemSpec<A, Record<never, never>, T> {
  return {
    kind: 'elem',
    attrs: (def.attrs ?? {}) as A,
    children: {},
    text: type,
    ...(def.scaled ? { scaled: def.scaled } : {}),
  };
}

/** An element that is just a value: <name>foo</name> -> 'foo'. */
export function text<T>(type: ValueType<T>): TextSpec<T> {
  return { kind: 'text', type };
}

export const raw: RawSpec = { kind: 'raw' };

export function custom<T>(impl: Omit<CustomSpec<T>, 'kind'>): CustomSpec<T> {
  return { kind: 'custom', ...impl };
}

// ---- model type inference ----

type AttrValue<S> = S extends AttrSpec<infer T, boolean> ? T : never;
type RequiredKeys<M> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];
type OptionalKeys<M> = Exclude<keyof M, RequiredKeys<M>>;
type Resolve<S> = S extends () => infer X ? X : S;
type ChildValue<C> =
  C extends ChildSpec<infer S, infer M, boolean> ? (M extends true ? Array<Model<Resolve<S>>> : Model<Resolve<S>>) : never;
type TextPart<T> = [T] extends [never] ? unknown : { value: T };

type Flatten<T> = { [K in keyof T]: T[K] } & {};

export type Model<S> =
  S extends TextSpec<infer T>
    ? T
    : S extends RawSpec
      ? XmlElement
      : S extends CustomSpec<infer T>
        ? T
        : S extends ElemSpec<infer A, infer C, infer T>
          ? Flatten<
              { [K in RequiredKeys<A>]: AttrValue<A[K]> } & { [K in OptionalKeys<A>]?: AttrValue<A[K]> } & {
                [K in RequiredKeys<C>]: ChildValue<C[K]>;
              } & { [K in OptionalKeys<C>]?: ChildValue<C[K]> } & TextPart<T>
            >
          : never;

export function resolveSpec<S extends AnySpec>(s: S | (() => S)): S {
  return typeof s === 'function' ? s() : s;
}
