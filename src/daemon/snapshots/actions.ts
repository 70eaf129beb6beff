/**
 * The snapshot and block-job part of the engine's one typed action list (engine/actions.ts
 * merges it). Changes run as the domain's job; queries (and blockjob --info/--abort, which must
 * reach a job that holds the domain) never wait.
 */
import type { EngineContext } from '../engine/context.js';
import type { BlockJobsReport, CommitOptions, CommitResult } from './block-jobs.js';
import { blockCommit, blockJobAbort, blockJobs, blockPull, finishActiveCommit } from './block-jobs.js';
import { createSnapshot } from './create.js';
import { deleteSnapshot } from './delete.js';
import { snapshotInfo, snapshotXml, type SnapshotInfo } from './queries.js';
import { revertSnapshot } from './revert.js';
import { snapshotsOf } from './store.js';

type Ref = { readonly name: string };
type Snap = Ref & { readonly snapshot: string };
type Disk = Ref & { readonly disk: string };
/** A block job's speed limit, bytes per second (none: as fast as it goes). */
type Speed = { readonly bandwidth?: number };
type Opts = { readonly wait?: number };

export type SnapshotAction =
  | ({ readonly kind: 'snapshotCreate'; readonly xml?: string; readonly diskOnly?: boolean; readonly noMetadata?: boolean; readonly redefine?: boolean; readonly current?: boolean; readonly quiesce?: boolean } & Ref)
  | ({ readonly kind: 'snapshotList' } & Ref)
  | ({ readonly kind: 'snapshotGet' } & Snap)
  | ({ readonly kind: 'snapshotXml' } & Snap)
  | ({ readonly kind: 'snapshotCurrent' } & Ref)
  | ({ readonly kind: 'snapshotRevert'; readonly running?: boolean; readonly paused?: boolean } & Snap)
  | ({ readonly kind: 'snapshotDelete'; readonly metadataOnly?: boolean; readonly children?: boolean; readonly childrenOnly?: boolean } & Snap)
  | ({ readonly kind: 'blockCommit' } & Disk & CommitOptions)
  | ({ readonly kind: 'blockPull'; readonly background?: boolean } & Disk & Speed)
  | ({ readonly kind: 'blockJobs' } & Disk)
  | ({ readonly kind: 'blockJobAbort' } & Disk)
  | ({ readonly kind: 'blockJobPivot' } & Disk);

export interface SnapshotResults {
  snapshotCreate: SnapshotInfo | null;
  snapshotList: SnapshotInfo[];
  snapshotGet: SnapshotInfo;
  snapshotXml: string;
  snapshotCurrent: SnapshotInfo | null;
  snapshotRevert: SnapshotInfo;
  snapshotDelete: SnapshotInfo;
  blockCommit: CommitResult;
  blockPull: { readonly disk: string };
  blockJobs: BlockJobsReport;
  blockJobAbort: BlockJobsReport;
  blockJobPivot: BlockJobsReport;
}

type Of<K extends SnapshotAction['kind']> = Extract<SnapshotAction, { kind: K }>;
type Handler<K extends SnapshotAction['kind']> = (ctx: EngineContext, a: Of<K>, o: Opts) => Promise<SnapshotResults[K]>;

const rec = (ctx: EngineContext, name: string) => ctx.registry.resolve(name);

async function info(ctx: EngineContext, name: string, snapshot: string): Promise<SnapshotInfo> {
  const r = rec(ctx, name);
  const set = await snapshotsOf(ctx, r.name, r.uuid);
  return snapshotInfo(set, r.name, set.get(snapshot, r.name));
}

/** Tells the snapshot event bus (the object: the snapshot; its uuid: the domain's). */
function told(ctx: EngineContext, r: { readonly name: string; readonly uuid: string }, snapshot: string, event: 'created' | 'reverted' | 'deleted'): void {
  ctx.snapshotEvents.emit({ name: snapshot, uuid: r.uuid, domain: r.name }, event);
}

function job<T>(ctx: EngineContext, name: string, what: string, o: Opts, fn: (r: ReturnType<typeof rec>) => Promise<T>): Promise<T> {
  const n = rec(ctx, name).name;
  return ctx.job(n, what, o, () => fn(ctx.registry.named(n)));
}

export const snapshotHandlers: { readonly [K in SnapshotAction['kind']]: Handler<K> } = {
  snapshotCreate: (ctx, a, o) => job(ctx, a.name, 'snapshot-create', o, async (r) => {
    const def = await createSnapshot(ctx, r, a);
    told(ctx, r, def.name ?? '', 'created');
    if (a.noMetadata === true) return null;
    return snapshotInfo(await snapshotsOf(ctx, r.name, r.uuid), r.name, def);
  }),
  snapshotList: async (ctx, a) => {
    const r = rec(ctx, a.name);
    const set = await snapshotsOf(ctx, r.name, r.uuid);
    return set.all().map((s) => snapshotInfo(set, r.name, s));
  },
  snapshotGet: (ctx, a) => info(ctx, a.name, a.snapshot),
  snapshotXml: async (ctx, a) => {
    const r = rec(ctx, a.name);
    return snapshotXml((await snapshotsOf(ctx, r.name, r.uuid)).get(a.snapshot, r.name), r.uuid);
  },
  snapshotCurrent: async (ctx, a) => {
    const r = rec(ctx, a.name);
    const set = await snapshotsOf(ctx, r.name, r.uuid);
    return set.current === undefined ? null : snapshotInfo(set, r.name, set.get(set.current, r.name));
  },
  snapshotRevert: (ctx, a, o) => job(ctx, a.name, 'snapshot-revert', o, async (r) => {
    await revertSnapshot(ctx, r, a.snapshot, a);
    told(ctx, r, a.snapshot, 'reverted');
    return info(ctx, r.name, a.snapshot);
  }),
  snapshotDelete: (ctx, a, o) => job(ctx, a.name, 'snapshot-delete', o, async (r) => {
    const before = await info(ctx, r.name, a.snapshot);
    // --children / --children-only: the descendants, leaves first (an external chain merges from its top down).
    const set = await snapshotsOf(ctx, r.name, r.uuid);
    const order: string[] = [];
    const walk = (n: string): void => { for (const c of set.children(n)) { walk(c.name ?? ''); order.push(c.name ?? ''); } };
    if (a.children === true || a.childrenOnly === true) walk(a.snapshot);
    if (a.childrenOnly !== true) order.push(a.snapshot);
    for (const n of order) {
      await deleteSnapshot(ctx, r, n, a);
      told(ctx, r, n, 'deleted');
    }
    return before;
  }),
  blockCommit: (ctx, a, o) => job(ctx, a.name, 'blockcommit', o, async (r) => {
    const { kind: _k, name: _n, disk, ...opts } = a;
    return blockCommit(ctx, r, disk, opts);
  }),
  blockPull: (ctx, a, o) => job(ctx, a.name, 'blockpull', o, async (r) => {
    await blockPull(ctx, r, a.disk, a.bandwidth, a.background === true);
    return { disk: a.disk };
  }),
  blockJobs: async (ctx, a) => blockJobs(ctx, rec(ctx, a.name), a.disk),
  blockJobAbort: async (ctx, a) => blockJobAbort(ctx, rec(ctx, a.name), a.disk),
  blockJobPivot: (ctx, a, o) => job(ctx, a.name, 'blockjob-pivot', o, (r) => finishActiveCommit(ctx, r, a.disk, 'pivot')),
};
