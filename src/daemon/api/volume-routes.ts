/**
 * REST routes of the volume operations beyond create and delete: copy
 * (vol-create-from), clone (full or linked), resize, wipe and import, plus the
 * storage pool capabilities. Each parses its request into an engine action.
 * An import with progress is the WebSocket /v1/pools/{id}/volume-import (ws.ts).
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const pool = '/v1/pools/{id}';
const vol = `${pool}/volumes/{vol}`;
const job: ErrorCode[] = ['POOL_NOT_FOUND', 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID'];
const made: ErrorCode[] = ['VOLUME_EXISTS', 'NO_SPACE', 'INVALID_NAME', 'QEMU_IMG_FAILED', 'IO_ERROR', 'UNSUPPORTED_OPERATION'];
const chain: ErrorCode[] = ['BACKING_NOT_ALLOWED', 'BACKING_FORMAT_MISSING', 'BACKING_FORMAT_MISMATCH', 'BACKING_CHAIN_LOOP', 'BACKING_CHAIN_TOO_DEEP', 'IMAGE_INVALID', 'IMAGE_UNSUPPORTED'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT'];
const p = (params: Readonly<Record<string, string>>, k = 'id'): string => params[k] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;
/** Only the keys that are set (the action types use exact optional properties). */
const set = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as never;

export const volumeRoutes: Route[] = [
  route({
    method: 'GET', path: '/v1/pool-capabilities', operationId: 'getPoolCapabilities', tag: 'storage',
    summary: "libvirt's storage pool capabilities XML: the pool types virtkit starts and their formats",
    query: {}, response: 'XmlDocument', errors: [],
    handle: async ({ engine }) => ({ body: { xml: await engine.dispatch({ kind: 'poolCapabilities' }) } }),
  }),
  route({
    method: 'POST', path: `${pool}/actions/volume-create-from`, operationId: 'createVolumeFrom', tag: 'storage',
    summary: 'Create a volume from XML holding a copy of another volume (qemu-img convert; vol-create-from)',
    description: "The input's backing chain is walked first: backing files outside every pool are refused. Made under a temp name: a failure leaves nothing.",
    query: WaitQuery, body: 'VolumeCreateFromBody', response: 'VolumeInfo', status: 201,
    errors: [...job, ...xmlErrors, ...made, ...chain, 'VOLUME_NOT_FOUND'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'volCreateFrom', pool: p(params), ...set(body) }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${vol}/actions/clone`, operationId: 'cloneVolume', tag: 'storage',
    summary: "Clone a volume in its pool: a full copy in its format, or (linked) a qcow2 overlay on it (vol-clone)",
    query: WaitQuery, body: 'VolumeCloneBody', response: 'VolumeInfo', status: 201,
    errors: [...job, ...made, ...chain, 'VOLUME_NOT_FOUND'],
    handle: async ({ params, query, body, engine }) => {
      const { name, ...rest } = body;
      return { body: await engine.dispatch({ kind: 'volClone', pool: p(params), volume: p(params, 'vol'), newName: name, ...set(rest) }, opts(query)) };
    },
  }),
  route({
    method: 'POST', path: `${vol}/actions/resize`, operationId: 'resizeVolume', tag: 'storage',
    summary: 'Resize a raw or qcow2 volume (qemu-img resize; vol-resize)', description: 'A capacity below the current one needs shrink=true.',
    query: WaitQuery, body: 'VolumeResizeBody', response: 'VolumeInfo',
    errors: [...job, 'VOLUME_NOT_FOUND', 'VOLUME_SHRINK_REFUSED', 'NO_SPACE', 'QEMU_IMG_FAILED', 'UNSUPPORTED_OPERATION', 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'volResize', pool: p(params), volume: p(params, 'vol'), ...set(body) }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${vol}/actions/wipe`, operationId: 'wipeVolume', tag: 'storage',
    summary: 'Wipe a volume: its data then reads as zeros, format and capacity kept (vol-wipe)',
    query: WaitQuery, body: 'VolumeWipeBody', response: 'VolumeInfo',
    errors: [...job, 'VOLUME_NOT_FOUND', 'NO_SPACE', 'QEMU_IMG_FAILED', 'UNSUPPORTED_OPERATION', 'INVALID_ARGUMENT', 'IO_ERROR'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'volWipe', pool: p(params), volume: p(params, 'vol'), ...set(body) }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${pool}/actions/volume-import`, operationId: 'importVolume', tag: 'storage',
    summary: 'Convert an image file on the daemon host (raw, qcow2, vmdk, vdi...) into a pool volume (qemu-img convert)',
    description: 'Answers when done; the WebSocket /v1/pools/{id}/volume-import does the same and sends progress as it goes.',
    query: WaitQuery, body: 'VolumeImportBody', response: 'VolumeInfo', status: 201,
    errors: [...job, ...made, ...chain, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'volImport', pool: p(params), ...set(body) }, opts(query)),
    }),
  }),
];
