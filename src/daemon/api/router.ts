/**
 * A small typed router: a route names its method, path template, query and
 * body schemas and its answer's schema; `run` validates the request with
 * them before the handler sees it. The same specs feed the OpenAPI document.
 */
import type * as z from 'zod';
import { VirtkitError, type ErrorCode } from '../../core/errors.js';
import type { Engine } from '../engine/engine.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteSpec<Q extends z.ZodType, B extends z.ZodType | undefined, R extends z.ZodType> {
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
    query: z.output<Q>;
    body: B extends z.ZodType ? z.output<B> : undefined;
    engine: Engine;
  }): Promise<{ status?: number; body: z.input<R> }>;
}

export interface Route {
  readonly spec: RouteSpec<z.ZodType, z.ZodType | undefined, z.ZodType>;
  readonly segments: readonly string[];
  run(params: Record<string, string>, query: URLSearchParams, rawBody: string, engine: Engine): Promise<{ status: number; body: unknown }>;
}

export function route<Q extends z.ZodType, B extends z.ZodType | undefined, R extends z.ZodType>(
  spec: RouteSpec<Q, B, R>,
): Route {
  const s = spec as unknown as Route['spec'];
  return {
    spec: s,
    segments: spec.path.split('/').filter((x) => x !== ''),
    async run(params, search, rawBody, engine) {
      const query = validate(spec.query, queryObject(search), 'query string');
      let body: unknown;
      if (spec.body !== undefined) {
        body = validate(spec.body, parseJson(rawBody), 'request body');
      } else if (rawBody.trim() !== '') {
        throw new VirtkitError('INVALID_ARGUMENT', `${spec.method} ${spec.path} takes no request body`);
      }
      const out = await s.handle({ params, query, body, engine });
      return { status: out.status ?? spec.status ?? 200, body: out.body };
    },
  };
}

function queryObject(search: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of search) {
    if (Object.hasOwn(out, k)) throw new VirtkitError('INVALID_ARGUMENT', `query parameter '${k}' is given twice`);
    out[k] = v;
  }
  return out;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch (e) {
    throw new VirtkitError('INVALID_ARGUMENT', `request body is not JSON: ${(e as Error).message}`);
  }
}

export function validate<T extends z.ZodType>(schema: T, value: unknown, what: string): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const text = issues.map((i) => (i.path === '' ? i.message : `${i.path}: ${i.message}`)).join('; ');
  throw new VirtkitError('INVALID_ARGUMENT', `invalid ${what}: ${text}`, { details: { issues } });
}

export class Router {
  constructor(readonly routes: readonly Route[]) {}

  /** Finds the route; NOT_FOUND for an unknown path, METHOD_NOT_ALLOWED for a known path. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    const parts = pathname.split('/').filter((x) => x !== '').map(decodeSegment);
    const allowed: string[] = [];
    for (const r of this.routes) {
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
