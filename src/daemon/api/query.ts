/**
 * Query strings, parsed without the schema library: reads (GET) are most of
 * the traffic, and answering them need not load valibot and the schemas.
 * Strict like the body schemas: unknown or repeated parameters are refused. `queryJsonSchema` feeds the OpenAPI document.
 */
import { VirtkitError } from '../../core/errors.js';

export type QueryField =
  | { readonly kind: 'bool'; readonly description: string }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly description: string }
  | { readonly kind: 'string'; readonly description: string }
  | { readonly kind: 'csv'; readonly values: readonly string[]; readonly description: string };

export type QuerySpec = Readonly<Record<string, QueryField>>;

type ValueOf<F extends QueryField> =
  F extends { kind: 'bool' } ? boolean
  : F extends { kind: 'int' } ? number
  : F extends { kind: 'csv'; values: readonly (infer V)[] } ? V[]
  : string;

export type QueryValues<S extends QuerySpec> = { readonly [K in keyof S]?: ValueOf<S[K]> };

const TRUE = new Set(['true', '1', 'yes']);
const FALSE = new Set(['false', '0', 'no']);

function bad(name: string, why: string): VirtkitError {
  return new VirtkitError('INVALID_ARGUMENT', `invalid query string: ${name}: ${why}`, { details: { parameter: name } });
}

function parseField(name: string, f: QueryField, v: string): unknown {
  switch (f.kind) {
    case 'bool':
      if (TRUE.has(v)) return true;
      if (FALSE.has(v)) return false;
      throw bad(name, `'${v}' is not true or false`);
    case 'int': {
      const n = Number(v);
      if (!/^\d+$/.test(v) || n < f.min || n > f.max) throw bad(name, `'${v}' is not a whole number from ${f.min} to ${f.max}`);
      return n;
    }
    case 'string':
      return v;
    case 'csv': {
      const items = v.split(',');
      const wrong = items.find((i) => !f.values.includes(i));
      if (wrong !== undefined) throw bad(name, `'${wrong}' is not one of ${f.values.join(', ')}`);
      return items;
    }
  }
}

export function parseQuery<S extends QuerySpec>(spec: S, search: URLSearchParams): QueryValues<S> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of search) {
    const f = Object.hasOwn(spec, k) ? spec[k] : undefined;
    if (f === undefined) {
      const known = Object.keys(spec);
      throw bad(k, `unknown parameter${known.length === 0 ? ' (this route takes none)' : `; known: ${known.join(', ')}`}`);
    }
    if (Object.hasOwn(out, k)) throw bad(k, 'given twice');
    out[k] = parseField(k, f, v);
  }
  return out as QueryValues<S>;
}

export function queryJsonSchema(f: QueryField): Record<string, unknown> {
  switch (f.kind) {
    case 'bool':
      return { type: 'boolean' };
    case 'int':
      return { type: 'integer', minimum: f.min, maximum: f.max };
    case 'string':
      return { type: 'string' };
    case 'csv':
      return { type: 'string', pattern: `^(${f.values.join('|')})(,(${f.values.join('|')}))*$` };
  }
}

export const WAIT = {
  kind: 'int', min: 0, max: 3_600_000,
  description: 'Wait up to this many ms for the job running on the domain (default 0: fail at once)',
} as const satisfies QueryField;
