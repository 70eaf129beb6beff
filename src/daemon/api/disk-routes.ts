/**
 * The disk REST routes of a domain: attach and detach a disk (by its XML, or by target or
 * source), change a drive's medium, resize a running disk, read its sizes. Each parses its
 * request into an engine Action (engine/disk-ops.ts).
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const dom = '/v1/domains/{id}';
const lookup: ErrorCode[] = ['DOMAIN_NOT_FOUND', 'NOT_FOUND'];
const job: ErrorCode[] = [...lookup, 'OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID', 'QEMU_FAILED', 'UNSUPPORTED_OPERATION'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT', 'XML_DUPLICATE', 'ADDRESS_CONFLICT', 'QEMU_UNSUPPORTED'];
const volumeErrors: ErrorCode[] = ['POOL_NOT_FOUND', 'VOLUME_NOT_FOUND'];
const p = (params: Readonly<Record<string, string>>): string => params['id'] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;

/** Only the flags that are set: the actions take absent for false. */
function flags<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== false)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

export const diskRoutes: Route[] = [
  route({
    method: 'POST', path: `${dom}/devices`, operationId: 'attachDevice', tag: 'disks',
    summary: 'Attach a disk (virsh attach-device / attach-disk): live by blockdev-add + device_add, and/or to the definition',
    query: WaitQuery, body: 'DeviceXmlBody', response: 'DomainInfo', errors: [...job, ...xmlErrors, ...volumeErrors],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'attachDevice', name: p(params), ...flags(body), xml: body.xml }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${dom}/actions/detach-device`, operationId: 'detachDevice', tag: 'disks',
    summary: 'Detach the disk a <disk> element names by its target (virsh detach-device)',
    query: WaitQuery, body: 'DeviceXmlBody', response: 'DomainInfo', errors: [...job, ...xmlErrors],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'detachDevice', name: p(params), ...flags(body), xml: body.xml }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${dom}/actions/detach-disk`, operationId: 'detachDisk', tag: 'disks',
    summary: 'Detach a disk by target or source (virsh detach-disk); live, the guest must release it first',
    query: WaitQuery, body: 'DiskDetachBody', response: 'DomainInfo', errors: job,
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'detachDisk', name: p(params), ...flags(body), disk: body.disk }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${dom}/actions/change-media`, operationId: 'changeMedia', tag: 'disks',
    summary: 'Eject, insert or replace the medium of a CD-ROM or floppy drive (virsh change-media)',
    query: WaitQuery, body: 'ChangeMediaBody', response: 'DomainInfo', errors: [...job, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'changeMedia', name: p(params), ...flags(body), disk: body.disk, mode: body.mode }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${dom}/actions/blockresize`, operationId: 'blockResize', tag: 'disks',
    summary: 'Resize the image of a running domain\'s disk; the guest sees the new size (virsh blockresize)',
    query: WaitQuery, body: 'BlockResizeBody', response: 'DomainInfo', errors: [...job, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'blockResize', name: p(params), disk: body.disk, bytes: body.bytes }, opts(query)),
    }),
  }),
  route({
    method: 'GET', path: `${dom}/disks/{disk}/info`, operationId: 'getBlockInfo', tag: 'disks',
    summary: 'Sizes of a running domain\'s disk as QEMU has it open (virsh domblkinfo)',
    query: {}, response: 'BlockInfo', errors: [...lookup, 'OPERATION_INVALID', 'UNSUPPORTED_OPERATION'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'blockInfo', name: p(params), disk: params['disk'] ?? '' }) }),
  }),
];
