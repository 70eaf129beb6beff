/**
 * A small typed router: a route names its method, path template, query
 * parameters, body schema and answer schema; `run` validates the request
 * before the handler sees it. The same specs feed the OpenAPI document.
 */
import type * as v from 'valibot';
import { VirtkitError, type ErrorCode } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';
import { parseQuery, type QuerySpec, type QueryValues } from './query.js';
import type * as Schemas from '../../core/api/schemas.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A schema, named by its export in src/core/api/schemas.ts (the module loads only when a body needs it). */
export type SchemaName = { [K in keyof typeof Schemas]: (typeof Schemas)[K] extends v.GenericSchema ? K : never }[keyof typeof Schemas];
type Out<N extends SchemaName> = v.InferOutput<(typeof Schemas)[N]>;
type In<N extends SchemaName> = v.InferInput<(typeof Schemas)[N]>;

export interface RouteSpec<Q extends QuerySpec, B extends SchemaName | undefined, R extends SchemaName> {
  readonly method: Method;
  /** Template with `{param}` segments, e.g. /v1/domains/{id}/xml. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  readonly query: Q;
  readonly body?: B;
  readonly response: R;
  /** Success status (default 200). */
  readonly status?: number;
  /** Error codes this route may answer with, for the docs. */
  readonly errors: readonly ErrorCode[];
  handle(req: {
    params: Readonly<Record<string, string>>;
    query: QueryValues<Q>;
    body: B extends SchemaName ? Out<B> : undefined;
    engine: Engine;
  }): Promise<{ status?: number; body: In<R> }>;
}

export interface Route {
  readonly spec: RouteSpec<QuerySpec, SchemaName | undefined, SchemaName>;
  readonly segments: readonly string[];
  run(params: Record<string, string>, query: URLSearchParams, rawBody: string, engine: Engine): Promise<{ status: number; body: unknown }>;
}

let schemasModule: Promise<typeof Schemas> | undefined;

/** The valibot schemas, loaded on first use. */
export function loadSchemas(): Promise<typeof Schemas> {
  schemasModule ??= import('../../core/api/schemas.js');
  return schemasModule;
}

export function route<Q extends QuerySpec, B extends SchemaName | undefined, R extends SchemaName>(
  spec: RouteSpec<Q, B, R>,
): Route {
  const s = spec as unknown as Route['spec'];
  return {
    spec: s,
    segments: spec.path.split('/').filter((x) => x !== ''),
    async run(params, search, rawBody, engine) {
      const query = parseQuery(spec.query, search);
      let body: unknown;
      if (spec.body !== undefined) {
        const schemas = await loadSchemas();
        body = schemas.validate(schemas[spec.body] as v.GenericSchema, parseJson(rawBody), 'request body');
      } else if (rawBody.trim() !== '') {
        throw new VirtkitError('INVALID_ARGUMENT', `${spec.method} ${spec.path} takes no request body`);
      }
      const out = await s.handle({ params, query, body: body as never, engine });
      return { status: out.status ?? spec.status ?? 200, body: out.body };
    },
  };
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw new VirtkitError('INVALID_ARGUMENT', `request body is not JSON: ${(e as Error).message}`);
  }
}

export class Router {
  /** The routes by their number of segments (in table order): a path is matched only against those of its length. */
  readonly #byLength = new Map<number, Route[]>();

  constructor(readonly routes: readonly Route[]) {
    for (const r of routes) {
      const same = this.#byLength.get(r.segments.length);
      if (same) same.push(r);
      else this.#byLength.set(r.segments.length, [r]);
    }
  }

  /** Finds the route; NOT_FOUND for an unknown path, METHOD_NOT_ALLOWED for a known path. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    const parts = pathname.split('/').filter((x) => x !== '').map(decodeSegment);
    const allowed: string[] = [];
    for (const r of this.#byLength.get(parts.length) ?? []) {
      const params = matchSegments(r.segments, parts);
      if (!params) continue;
      if (r.spec.method === method) return { route: r, params };
      allowed.push(r.spec.method);
    }
    if (allowed.length > 0) {
      throw new VirtkitError('METHOD_NOT_ALLOWED', `${method} is not allowed on ${pathname}; use ${allowed.join(' or ')}`, {
        details: { allowed },
      });
    }
    throw new VirtkitError('NOT_FOUND', `no API route ${pathname} (see GET /v1/openapi.json)`);
  }
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new VirtkitError('INVALID_ARGUMENT', `bad percent-encoding in path segment '${s}'`);
  }
}

export function matchSegments(template: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (template.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, t] of template.entries()) {
    const p = parts[i] ?? '';
    if (t.startsWith('{') && t.endsWith('}')) params[t.slice(1, -1)] = p;
    else if (t !== p) return undefined;
  }
  return params;
}
