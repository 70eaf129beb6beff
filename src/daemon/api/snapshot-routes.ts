/**
 * The snapshot and block-job REST routes: a domain's snapshots under
 * /v1/domains/{id}/snapshots/{snap}, its current one at /v1/domains/{id}/current-snapshot
 * (not under snapshots/, where 'current' could be a snapshot's name), block jobs under
 * /v1/domains/{id}/disks/{disk} (a target such as vda). Each parses its request into an engine Action.
 */
import type { ErrorCode } from '../../core/errors.js';
import { WAIT, type QuerySpec } from './query.js';
import { route, type Route } from './router.js';

const dom = '/v1/domains/{id}';
const snap = `${dom}/snapshots/{snap}`;
const disk = `${dom}/disks/{disk}`;
const lookup: ErrorCode[] = ['DOMAIN_NOT_FOUND'];
const snapLookup: ErrorCode[] = [...lookup, 'SNAPSHOT_NOT_FOUND'];
const job: ErrorCode[] = ['OPERATION_IN_PROGRESS', 'OPERATION_TIMEOUT', 'OPERATION_INVALID'];
const run: ErrorCode[] = ['QEMU_FAILED', 'QEMU_IMG_FAILED', 'QMP_COMMAND_FAILED', 'IO_ERROR', 'UNSUPPORTED_OPERATION'];
const xmlErrors: ErrorCode[] = ['INVALID_XML', 'XML_UNSUPPORTED', 'XML_INVALID_VALUE', 'XML_MISSING', 'XML_CONFLICT', 'XML_DUPLICATE', 'INVALID_NAME', 'INVALID_ARGUMENT'];
const p = (params: Readonly<Record<string, string>>, k = 'id'): string => params[k] ?? '';
const opts = (q: { wait?: number | undefined }) => (q.wait === undefined ? {} : { wait: q.wait });
const NoQuery = {} as const satisfies QuerySpec;
const WaitQuery = { wait: WAIT } as const satisfies QuerySpec;
const defined = <T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } =>
  Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };

export const snapshotRoutes: Route[] = [
  route({
    method: 'GET', path: `${dom}/snapshots`, operationId: 'listSnapshots', tag: 'snapshots', summary: 'The snapshots of a domain, oldest first',
    query: NoQuery, response: 'SnapshotList', errors: lookup,
    handle: async ({ params, engine }) => ({ body: { snapshots: await engine.dispatch({ kind: 'snapshotList', name: p(params) }) } }),
  }),
  route({
    method: 'POST', path: `${dom}/snapshots`, operationId: 'createSnapshot', tag: 'snapshots',
    summary: 'Take a snapshot: internal (disks and memory) by default, external disk-only with diskOnly',
    query: WaitQuery, body: 'SnapshotCreateBody', response: 'SnapshotCreateResult', status: 201,
    errors: [...lookup, ...job, ...xmlErrors, ...run, 'SNAPSHOT_EXISTS'],
    handle: async ({ params, query, body, engine }) => ({
      body: { snapshot: await engine.dispatch({ kind: 'snapshotCreate', name: p(params), ...defined(body) }, opts(query)) },
    }),
  }),
  route({
    method: 'GET', path: `${dom}/current-snapshot`, operationId: 'getCurrentSnapshot', tag: 'snapshots',
    summary: "The domain's current snapshot (null when it has none)", query: NoQuery, response: 'SnapshotCurrent', errors: lookup,
    handle: async ({ params, engine }) => ({ body: { snapshot: await engine.dispatch({ kind: 'snapshotCurrent', name: p(params) }) } }),
  }),
  route({
    method: 'GET', path: snap, operationId: 'getSnapshot', tag: 'snapshots', summary: 'One snapshot',
    query: NoQuery, response: 'SnapshotInfo', errors: snapLookup,
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'snapshotGet', name: p(params), snapshot: p(params, 'snap') }) }),
  }),
  route({
    method: 'GET', path: `${snap}/xml`, operationId: 'getSnapshotXml', tag: 'snapshots', summary: "A snapshot's libvirt domainsnapshot XML",
    query: NoQuery, response: 'XmlDocument', errors: snapLookup,
    handle: async ({ params, engine }) => ({ body: { xml: await engine.dispatch({ kind: 'snapshotXml', name: p(params), snapshot: p(params, 'snap') }) } }),
  }),
  route({
    method: 'POST', path: `${snap}/actions/revert`, operationId: 'revertSnapshot', tag: 'snapshots',
    summary: 'Revert the domain to a snapshot (docs/snapshots.md says what is discarded)',
    query: WaitQuery, body: 'SnapshotRevertBody', response: 'SnapshotInfo', errors: [...snapLookup, ...job, ...run],
    handle: async ({ params, query, body, engine }) => ({
      body: await engine.dispatch({ kind: 'snapshotRevert', name: p(params), snapshot: p(params, 'snap'), ...defined(body) }, opts(query)),
    }),
  }),
  route({
    method: 'DELETE', path: snap, operationId: 'deleteSnapshot', tag: 'snapshots',
    summary: 'Delete a snapshot; an external one is merged back into the image under it first (block commit)',
    query: {
      wait: WAIT,
      metadata: { kind: 'bool', description: 'Forget the snapshot only; touch no image' },
      children: { kind: 'bool', description: 'Delete its descendants too (leaves first)' },
      childrenOnly: { kind: 'bool', description: 'Delete only its descendants' },
    },
    response: 'SnapshotInfo', errors: [...snapLookup, ...job, ...run],
    handle: async ({ params, query, engine }) => ({
      body: await engine.dispatch({ kind: 'snapshotDelete', name: p(params), snapshot: p(params, 'snap'),
        ...(query.metadata === true ? { metadataOnly: true } : {}),
        ...(query.children === true ? { children: true } : {}),
        ...(query.childrenOnly === true ? { childrenOnly: true } : {}),
      }, opts(query)),
    }),
  }),
  route({
    method: 'POST', path: `${disk}/actions/blockcommit`, operationId: 'blockCommit', tag: 'snapshots',
    summary: "Merge images of a running disk's backing chain into a lower one (virsh blockcommit: --top, --base, --shallow, ----active, with --pivot or --keep-overlay, --delete); answers when the job has ended, an active commit left ready when it is, or with background once it runs",
    query: WaitQuery, body: 'BlockCommitBody', response: 'BlockCommitResult', errors: [...lookup, ...job, ...run, 'INVALID_ARGUMENT', 'IMAGE_NOT_IN_CHAIN', 'OPERATION_ABORTED'],
    handle: async ({ params, query, body, engine }) => ({ body: await engine.dispatch({ kind: 'blockCommit', name: p(params), disk: p(params, 'disk'), ...defined(body) }, opts(query)) }),
  }),
  route({
    method: 'POST', path: `${disk}/actions/blockpull`, operationId: 'blockPull', tag: 'snapshots',
    summary: "Copy a running disk's backing chain into its active image (virsh blockpull)",
    query: WaitQuery, body: 'BlockJobBody', response: 'BlockPullResult', errors: [...lookup, ...job, ...run, 'INVALID_ARGUMENT', 'OPERATION_ABORTED'],
    handle: async ({ params, query, body, engine }) => ({ body: await engine.dispatch({ kind: 'blockPull', name: p(params), disk: p(params, 'disk'), ...defined(body) }, opts(query)) }),
  }),
  route({
    method: 'GET', path: `${disk}/jobs`, operationId: 'getBlockJobs', tag: 'snapshots', summary: "A running disk's block jobs and their progress (virsh blockjob --info)",
    query: NoQuery, response: 'BlockJobsReport', errors: [...lookup, 'OPERATION_INVALID', 'INVALID_ARGUMENT'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'blockJobs', name: p(params), disk: p(params, 'disk') }) }),
  }),
  route({
    method: 'POST', path: `${disk}/actions/blockjob-abort`, operationId: 'abortBlockJobs', tag: 'snapshots', summary: "Cancel a disk's block jobs (virsh blockjob --abort)",
    query: NoQuery, body: 'EmptyBody', response: 'BlockJobsReport', errors: [...lookup, 'OPERATION_INVALID', 'INVALID_ARGUMENT'],
    handle: async ({ params, engine }) => ({ body: await engine.dispatch({ kind: 'blockJobAbort', name: p(params), disk: p(params, 'disk') }) }),
  }),
  route({
    method: 'POST', path: `${disk}/actions/blockjob-pivot`, operationId: 'pivotBlockJob', tag: 'snapshots',
    summary: "Complete a disk's ready active commit: the disk switches to the base (virsh blockjob --pivot)",
    query: WaitQuery, body: 'EmptyBody', response: 'BlockJobsReport', errors: [...lookup, ...job, ...run, 'INVALID_ARGUMENT'],
    handle: async ({ params, query, engine }) => ({ body: await engine.dispatch({ kind: 'blockJobPivot', name: p(params), disk: p(params, 'disk') }, opts(query)) }),
  }),
];
