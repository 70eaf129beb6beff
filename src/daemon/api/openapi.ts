/**
 * The OpenAPI 3.1 document, generated from the route table and the valibot
 * schemas the routes validate with (@valibot/to-json-schema). Served at GET /v1/openapi.json and
 * committed as openapi.json (openapi.test.ts fails when that copy is stale;
 * `VIRTKIT_REGENERATE_OPENAPI=1 node scripts/run-tests.mjs unit openapi` rewrites it).
 */
import { toJsonSchema, toJsonSchemaDefs, type ConversionConfig } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import type { ErrorCode } from '../../core/errors.js';
import { HTTP_STATUS } from './http-status.js';
import { queryJsonSchema, type QuerySpec } from './query.js';
import type { Route, SchemaName } from './router.js';
import { routes } from './routes.js';
import * as schemaModule from '../../core/api/schemas.js';
import { apiSchemas } from '../../core/api/schemas.js';
import { DOWNLOAD_ERRORS, DOWNLOAD_QUERY, UPLOAD_ERRORS, UPLOAD_QUERY, VOLUME_CONTENT } from './volume-content-routes.js';
import { LEASE_ERRORS, LEASE_QUERY } from './volume-lease-routes.js';
import { CONSOLE_QUERY, EVENTS_QUERY, WS_CONSOLE, WS_EVENTS } from './ws-paths.js';

type Json = Record<string, unknown>;
const ref = (id: string): Json => ({ $ref: `#/components/schemas/${id}` });

/** Every named schema is a component, referred to by `#/components/schemas/ID`. */
function conversion(typeMode: 'input' | 'output'): ConversionConfig {
  return {
    target: 'draft-2020-12',
    typeMode,
    definitions: Object.fromEntries([...apiSchemas].map(([schema, { id }]) => [id, schema])),
    overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
  };
}

function schemaOf(name: SchemaName, io: 'input' | 'output'): Json {
  const schema = schemaModule[name] as v.GenericSchema;
  const id = apiSchemas.get(schema)?.id;
  if (id !== undefined) return ref(id);
  const { $schema: _drop, $defs: _defs, ...rest } = toJsonSchema(schema, conversion(io)) as Json;
  return rest;
}

function queryParameters(spec: QuerySpec): Json[] {
  return Object.entries(spec).map(([name, f]) => ({
    name, in: 'query', required: false, description: f.description, schema: queryJsonSchema(f),
  }));
}

function pathParameters(path: string): Json[] {
  const describe = (name: string | undefined): string =>
    name === 'vol' ? 'Volume name' : path.startsWith('/v1/pools/') ? 'Pool name or UUID' : path.startsWith('/v1/networks/') ? 'Network name or UUID' : 'Domain name, UUID or runtime id';
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1], in: 'path', required: true, description: describe(m[1]), schema: { type: 'string' },
  }));
}

const json = (schema: Json): Json => ({ 'application/json': { schema } });

function operation(r: Route): Json {
  const s = r.spec;
  const responses: Record<string, Json> = {
    [String(s.status ?? 200)]: { description: 'Success', content: json(schemaOf(s.response, 'output')) },
  };
  if (s.operationId === 'defineDomain' || s.operationId === 'definePool' || s.operationId === 'defineNetwork') {
    responses['200'] = { description: 'An existing definition was replaced', content: json(schemaOf(s.response, 'output')) };
  }
  const byStatus = new Map<number, string[]>();
  for (const code of ['INVALID_ARGUMENT', ...s.errors, 'INTERNAL_ERROR'] as const) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  for (const [status, codes] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    responses[String(status)] = { description: `Error: ${codes.join(', ')}`, content: json(ref('Error')) };
  }
  return {
    operationId: s.operationId,
    summary: s.summary,
    ...(s.description === undefined ? {} : { description: s.description }),
    tags: [s.tag],
    parameters: [...pathParameters(s.path), ...queryParameters(s.query)],
    ...(s.body === undefined ? {} : { requestBody: { required: true, content: json(schemaOf(s.body, 'input')) } }),
    responses,
  };
}

function errorResponses(errors: readonly ErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, string[]>();
  for (const code of ['INVALID_ARGUMENT', ...errors, 'INTERNAL_ERROR'] as const) {
    const status = HTTP_STATUS[code];
    byStatus.set(status, [...new Set([...(byStatus.get(status) ?? []), code])]);
  }
  return Object.fromEntries([...byStatus].sort((a, b) => a[0] - b[0])
    .map(([status, codes]) => [String(status), { description: `Error: ${codes.join(', ')}`, content: json(ref('Error')) }]));
}

/** The byte-stream pair (volume-content-routes.ts): not in the JSON route table. */
function volumeContent(): Json {
  const bytes = { 'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } };
  return {
    put: {
      operationId: 'uploadVolume', tags: ['storage'],
      summary: 'Write the body\'s bytes into the volume\'s file at offset (virsh vol-upload); answers once they are fsync\'ed',
      description: 'Content-Length is required: it is the number of bytes written. A raw volume cannot grow (VOLUME_RANGE_INVALID); ' +
        'any other format\'s file is written as is (a qcow2 volume takes a qcow2 image) and may grow. An upload cut short leaves the ' +
        'bytes written so far in place and the rest of the file unchanged, and answers an error.',
      parameters: [...pathParameters(VOLUME_CONTENT), ...queryParameters(UPLOAD_QUERY)],
      requestBody: { required: true, content: bytes },
      responses: { 200: { description: 'Success', content: json(ref('VolumeInfo')) }, ...errorResponses(UPLOAD_ERRORS) },
    },
    get: {
      operationId: 'downloadVolume', tags: ['storage'], summary: 'The bytes of the volume\'s file from offset (virsh vol-download)',
      parameters: [...pathParameters(VOLUME_CONTENT), ...queryParameters(DOWNLOAD_QUERY)],
      responses: { 200: { description: 'The bytes, with their Content-Length', content: bytes }, ...errorResponses(DOWNLOAD_ERRORS) },
    },
    post: {
      operationId: 'leaseVolume', tags: ['storage'],
      summary: 'A transfer lease: the local fast path of vol-upload / vol-download (UNIX socket only)',
      description: 'One exchange, both ways at once. The request\'s body stays open; the answer (application/x-ndjson) starts with ' +
        '{"lease":{"path","dev","ino","format","range":{"offset","length"}}}: the client opens that file itself (with its own ' +
        'credentials, checking dev and ino), copies the range, fsyncs, then sends {"ok":true} (or {"ok":false,"reason":...}) as the ' +
        'request body and ends it; the last line is {"volume":VolumeInfo} or {"error":...}. An upload lease holds the pool\'s job as a ' +
        'streaming upload does; a connection that closes first ends it as a failed upload. Refused over TCP and for volumes that are not ' +
        'plain files of a dir or fs pool (UNSUPPORTED_OPERATION): use PUT or GET then. docs/storage.md, "The local fast path".',
      parameters: [...pathParameters(VOLUME_CONTENT), ...queryParameters(LEASE_QUERY)],
      requestBody: { required: true, content: json({ type: 'object', properties: { ok: { type: 'boolean' }, reason: { type: 'string' } }, required: ['ok'] }) },
      responses: {
        200: { description: 'The lease line, then (after the request body) the volume or the error', content: { 'application/x-ndjson': { schema: { type: 'string' } } } },
        ...errorResponses(LEASE_ERRORS),
      },
    },
  };
}

function webSocket(path: string, operationId: string, summary: string, description: string, query: QuerySpec): Json {
  return {
    get: {
      operationId, summary, description, tags: ['websocket'],
      parameters: [...pathParameters(path), ...queryParameters(query)],
      responses: {
        101: { description: 'Switching Protocols: the WebSocket is open' },
        400: { description: 'Error: INVALID_ARGUMENT (not a WebSocket request, bad query)', content: json(ref('Error')) },
        404: { description: 'Error: DOMAIN_NOT_FOUND', content: json(ref('Error')) },
        409: { description: 'Error: OPERATION_IN_PROGRESS, OPERATION_INVALID', content: json(ref('Error')) },
      },
    },
  };
}

export function openApiDocument(): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) {
    paths[r.spec.path] = { ...paths[r.spec.path], [r.spec.method.toLowerCase()]: operation(r) };
  }
  paths[VOLUME_CONTENT] = volumeContent();
  paths[WS_EVENTS] = webSocket(WS_EVENTS, 'streamEvents', 'Domain, pool, secret and snapshot events (WebSocket)',
    'Each text message is one event as JSON: a LifecycleEvent (kind=domain, the default), or an ObjectEvent (kind=pool, secret or snapshot).', EVENTS_QUERY);
  paths[WS_CONSOLE] = webSocket(WS_CONSOLE, 'openConsole', 'Serial console (WebSocket)',
    'Binary messages carry the console bytes both ways. When the daemon ends the session (taken over, ' +
    'domain stopped, daemon exiting) it closes with code 4000 and the reason.', CONSOLE_QUERY);
  paths['/v1/openapi.json'] = {
    get: {
      operationId: 'getOpenApi', summary: 'This document', tags: ['meta'],
      responses: { 200: { description: 'OpenAPI 3.1 document', content: json({ type: 'object' }) } },
    },
  };
  const { definitions: _all, ...config } = conversion('output');
  const defs = Object.fromEntries([...apiSchemas].map(([schema, { id }]) => [id, schema]));
  const schemas: Record<string, Json> = {};
  for (const [id, s] of Object.entries(toJsonSchemaDefs(defs, config))) {
    const description = [...apiSchemas.values()].find((m) => m.id === id)?.description;
    schemas[id] = { ...(description === undefined ? {} : { description }), ...(s as Json) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'virtkit daemon API',
      version: '1.0.0',
      description: 'REST and WebSocket API of virtkitd. Over the UNIX socket no credentials are needed (the ' +
        'socket file is private to its owner); over TCP every request needs `Authorization: Bearer TOKEN`. ' +
        'Errors are always `{"error": {"code", "message", "details"}}`; see docs/api.md for the code -> status table.',
    },
    servers: [{ url: 'http://localhost', description: 'UNIX socket of the instance, or --listen HOST:PORT' }],
    security: [{}, { bearer: [] }],
    tags: ['domains', 'lifecycle', 'host', 'storage', 'networks', 'secrets', 'disks', 'snapshots', 'websocket', 'meta'].map((name) => ({ name })),
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Only on the TCP listener' } },
    },
  };
}
