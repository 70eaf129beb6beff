/**
 * The storage REST routes: pools under /v1/pools/{id} (a name or UUID),
 * their volumes under /v1/pools/{id}/volumes/{vol}; volumes by key or path
 * under /v1/volumes. Each parses its request into an engine Action.
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const pool = '/v1/pools/{id}';
const vol = `${pool}/volumes/{vol}`;
const lookup: ErrorCode[] = ['POOL_NOT_FOUND'];
const job: ErrorCode[] = [...lookup, 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT', 'INVALID_NAME'];
const hostErrors: ErrorCode[] = ['IO_ERROR', 'STORAGE_FAILED', 'HOST_UNSUPPORTED', 'UNSUPPORTED_OPERATION'];
const p = (params: Readonly<Record<string, string>>, k = 'id'): string => params[k] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const bool = (description: string) => ({ kind: 'bool', description }) as const;
const NoQuery = {} as const satisfies QuerySpec;
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;

type PoolVerb = 'build' | 'destroy' | 'delete' | 'refresh';
const VERBS: Record<PoolVerb, { kind: 'poolBuild' | 'poolDestroy' | 'poolDelete' | 'poolRefresh'; summary: string }> = {
  build: { kind: 'poolBuild', summary: 'Build an inactive pool: make its target directory' },
  destroy: { kind: 'poolDestroy', summary: 'Stop a pool (unmount it); a transient pool disappears' },
  delete: { kind: 'poolDelete', summary: 'Delete an inactive pool\'s target directory (it must be empty)' },
  refresh: { kind: 'poolRefresh', summary: 'List an active pool\'s volumes and free space again' },
};

const verbRoute = (verb: PoolVerb): Route => route({
  method: 'POST', path: `${pool}/actions/${verb}`, operationId: `${verb}Pool`, tag: 'storage', summary: VERBS[verb].summary,
  query: WaitQuery, body: 'EmptyBody', response: 'PoolInfo', errors: [...job, ...hostErrors],
  handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: VERBS[verb].kind, pool: p(params) }, opts(query)) }),
});

export const storageRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/pools', operationId: 'listPools', tag: 'storage', summary: 'List storage pools',
    query: {
      active: bool('Only active (true) or inactive (false) pools'),
      persistent: bool('Only persistent (true) or transient (false) pools'),
      autostart: bool('Only pools with (true) or without (false) autostart'),
      type: { kind: 'csv', values: ['dir', 'fs', 'netfs', 'rbd'], description: 'Comma-separated pool types' },
    },
    response: 'PoolList', errors: [],
    handle: async ({ query, engine }) => {
      const filter = {
        ...(query.active === undefined ? {} : { active: query.active }),
        ...(query.persistent === undefined ? {} : { persistent: query.persistent }),
        ...(query.autostart === undefined ? {} : { autostart: query.autostart }),
        ...(query.type === undefined ? {} : { types: query.type }),
      };
      return { body: { pools: await engine.dispatch({ kind: 'poolList', filter }) } };
    },
  }),
  route({
    method: 'POST', path: '/v1/pools', operationId: 'definePool', tag: 'storage',
    summary: 'Define a pool, or replace the definition of one with the same name and UUID',
    description: 'Answers 201 when the pool is new, 200 when its definition was replaced (an active pool keeps running as it was started).',
    query: WaitQuery, body: 'PoolXmlBody', response: 'PoolDefineResult', status: 201, errors: [...xmlErrors, 'POOL_EXISTS', 'OPERATION_IN_PROGRESS'],
    handle: async ({ query, body, engine }) => {
      const r = await engine.dispatch({ kind: 'poolDefine', xml: body.xml }, opts(query));
      return { status: r.created ? 201 : 200, body: r };
    },
  }),
  route({
    method: 'POST', path: '/v1/actions/pool-create', operationId: 'createPool', tag: 'storage',
    summary: 'Start a transient pool from XML (virsh pool-create)', query: WaitQuery, body: 'PoolCreateBody',
    response: 'PoolInfo', status: 201, errors: [...xmlErrors, 'POOL_EXISTS', 'OPERATION_INVALID', ...hostErrors],
    handle: async ({ query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'poolCreate', xml: body.xml, ...(body.build === undefined ? {} : { build: body.build }) }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: pool, operationId: 'getPool', tag: 'storage', summary: 'One pool, by name or UUID (`default` is made on first use)',
    query: NoQuery, response: 'PoolInfo', errors: lookup,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'poolGet', pool: p(params) }) }),
  }),
  route({
    method: 'DELETE', path: pool, operationId: 'undefinePool', tag: 'storage', summary: 'Undefine an inactive pool',
    query: WaitQuery, response: 'PoolInfo', errors: job,
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'poolUndefine', pool: p(params) }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${pool}/xml`, operationId: 'getPoolXml', tag: 'storage',
    summary: 'Pool XML: with its sizes while active; the persistent definition with inactive=true',
    query: { inactive: bool('The persistent definition, even while the pool runs') }, response: 'XmlDocument', errors: lookup,
    handle: async ({ params, query, engine }) => ({
      body: { xml: await engine.dispatch({ kind: 'poolXml', pool: p(params), inactive: query.inactive ?? false }) },
    }),
  }),
  route({
    method: 'POST', path: `${pool}/actions/start`, operationId: 'startPool', tag: 'storage',
    summary: 'Start a pool: check its directory, or mount its source (fs, netfs)', query: WaitQuery, body: 'PoolStartBody',
    response: 'PoolInfo', errors: [...job, ...hostErrors],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'poolStart', pool: p(params), ...(body.build === undefined ? {} : { build: body.build }) }, opts(query)),
    }),
  }),
  ...(Object.keys(VERBS) as PoolVerb[]).map(verbRoute),
  route({
    method: 'PUT', path: `${pool}/autostart`, operationId: 'setPoolAutostart', tag: 'storage',
    summary: 'Start the pool when the daemon starts', query: WaitQuery, body: 'AutostartBody', response: 'PoolInfo', errors: job,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'poolAutostart', pool: p(params), enabled: body.enabled }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${pool}/volumes`, operationId: 'listVolumes', tag: 'storage', summary: 'The volumes of an active pool',
    query: NoQuery, response: 'VolumeList', errors: [...lookup, 'OPERATION_INVALID'],
    handle: async ({ params, engine }) => ({ body: { volumes: await engine.dispatch({ kind: 'volList', pool: p(params) }) } }),
  }),
  route({
    method: 'POST', path: `${pool}/volumes`, operationId: 'createVolume', tag: 'storage',
    summary: 'Create a volume from XML (raw: allocated as asked; other formats: qemu-img)',
    description: 'Made under a hidden temp name and put in place once complete: a failure (NO_SPACE included) leaves nothing behind.',
    query: WaitQuery, body: 'VolumeCreateBody', response: 'VolumeInfo', status: 201,
    errors: [...job, ...xmlErrors, 'VOLUME_EXISTS', 'NO_SPACE', ...hostErrors],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({
        kind: 'volCreate', pool: p(params), xml: body.xml, ...(body.preallocMetadata === undefined ? {} : { preallocMetadata: body.preallocMetadata }),
      }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: vol, operationId: 'getVolume', tag: 'storage', summary: 'One volume (its allocation read again)',
    query: NoQuery, response: 'VolumeInfo', errors: [...lookup, 'VOLUME_NOT_FOUND', 'OPERATION_INVALID'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'volGet', pool: p(params), volume: p(params, 'vol') }) }),
  }),
  route({
    method: 'DELETE', path: vol, operationId: 'deleteVolume', tag: 'storage', summary: 'Delete a volume (its file)',
    query: WaitQuery, response: 'VolumeInfo', errors: [...job, 'VOLUME_NOT_FOUND', 'IO_ERROR'],
    handle: async ({ params, query, engine }) => ({
      body: await engine.dispatch({ kind: 'volDelete', pool: p(params), volume: p(params, 'vol') }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${vol}/xml`, operationId: 'getVolumeXml', tag: 'storage', summary: 'Volume XML',
    query: NoQuery, response: 'XmlDocument', errors: [...lookup, 'VOLUME_NOT_FOUND', 'OPERATION_INVALID'],
    handle: async ({ params, engine }) => ({
      body: { xml: await engine.dispatch({ kind: 'volXml', pool: p(params), volume: p(params, 'vol') }) },
    }),
  }),
  route({
    method: 'GET', path: '/v1/volumes', operationId: 'findVolume', tag: 'storage',
    summary: 'A volume by key or path, in any active pool (vol-name, vol-key, vol-pool, vol-path)',
    query: { key: { kind: 'string', description: 'Volume key or path' } }, response: 'VolumeInfo', errors: ['VOLUME_NOT_FOUND'],
    handle: async ({ query, engine }) => ({ body: await engine.dispatch({ kind: 'volFind', keyOrPath: query.key ?? '' }) }),
  }),
];
