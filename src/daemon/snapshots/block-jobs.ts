/**
 * blockcommit, blockpull and blockjob on a running domain's disk (by target, vda). blockcommit
 * is virsh's (--top, --base, --shallow, --active with --pivot or --keep-overlay, --delete). blockpull
 * copies the whole backing chain into the active image; the disk keeps its image but no longer
 * needs the backing files. Progress is what query-jobs reports while they run (blockjob --info).
 */
import { rm } from 'node:fs/promises';
import { isVirtkitError, VirtkitError } from '../../core/errors.js';
import { planBlockCommit, type ChainImage, type CommitRequest } from '../../core/storage/block-commit-plan.js';
import type { BlockJobInfo } from '../driver.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import type { RecordedCommit } from '../store/types.js';
import { checkUnused, readChain, refreshLiveChain } from './chain.js';
import { diskOf, switchImage } from './disks.js';

type LiveDisk = ReturnType<typeof liveDisk>;

function liveDisk(ctx: EngineContext, rec: DomainRecord, target: string) {
  const h = ctx.requireHandle(rec);
  if (h.blockOps === undefined) throw new VirtkitError('UNSUPPORTED_OPERATION', `the hypervisor driver has no block jobs for domain '${rec.name}'`);
  const d = diskOf(h.liveDef, target) ?? h.liveDef.devices?.disk?.find((x) => x.source?.file === target);
  const file = d?.source?.file;
  if (d === undefined || file === undefined || d.target?.dev === undefined) {
    throw new VirtkitError('INVALID_ARGUMENT', `domain '${rec.name}' has no file disk '${target}' (virtkit domblklist ${rec.name} lists them)`, { details: { disk: target } });
  }
  return { ops: h.blockOps, alias: d.alias?.name ?? target, target: d.target.dev, file, format: d.driver?.type ?? 'raw' };
}

export interface BlockJobsReport {
  readonly disk: string;
  readonly jobs: BlockJobInfo[];
}

export type CommitOptions = CommitRequest & {
  readonly bandwidth?: number;
  /** Answer once QEMU runs the job (virsh without --wait); the daemon follows it and does the rest when it ends. */
  readonly background?: boolean;
};

export interface CommitResult {
  readonly disk: string;
  /** The image the disk runs on after the commit (with background or a ready active commit: now). */
  readonly image: string;
  /** The image committed into. */
  readonly base: string;
  /** The files removed (--delete; with background or a ready active commit: to be removed when it ends). */
  readonly deleted: string[];
}

/** The recorded commits of the domain's current run, by disk target: kept in its runtime record, they go with the run. */
function commitsOf(rec: DomainRecord): Map<string, RecordedCommit> {
  if (rec.runtime === undefined) return new Map();
  return (rec.runtime.commits ??= new Map());
}

/**
 * Records what the end of a commit on `target` must do (`undefined`: nothing left) and writes the
 * status file, so that a daemon restarted meanwhile does it (block-job-restart.ts).
 */
function recordCommit(ctx: EngineContext, rec: DomainRecord, target: string, c: RecordedCommit | undefined): Promise<void> {
  const commits = commitsOf(rec);
  if (c !== undefined) commits.set(target, c);
  else if (!commits.delete(target)) return Promise.resolve();
  return ctx.persistStatus(rec);
}

/**
 * Runs a QEMU block job (`start`) and then `after`, virtkit's bookkeeping, and tells its end on the
 * block-job event bus (`endEvent`, or failed / canceled). In the foreground it answers when both
 * are done. In the background it answers once QEMU runs the job; when the job ends, `after` runs as
 * a job of the domain (so that no other change of its definition interleaves).
 */
async function follow<T>(
  ctx: EngineContext, rec: DomainRecord, disk: string, background: boolean,
  start: (started: () => void) => Promise<void>, after: () => Promise<T>, now: T, endEvent: 'completed' | 'ready' = 'completed',
): Promise<T> {
  let isRunning = false;
  const failed = (e: unknown): void => {
    if (isRunning) blockJobEnded(ctx, rec, disk, isVirtkitError(e) && e.code === 'OPERATION_ABORTED' ? 'canceled' : 'failed');
  };
  let started = (): void => undefined;
  const running = new Promise<void>((resolve) => {
    started = () => {
      isRunning = true;
      resolve();
    };
  });
  const ended = start(started);
  if (!background) {
    try {
      await ended;
    } catch (e) {
      failed(e);
      throw e;
    }
    const r = await after();
    blockJobEnded(ctx, rec, disk, endEvent);
    return r;
  }
  await Promise.race([running, ended]);
  void ended
    .then(() => ctx.job(rec.name, 'blockjob-end', { wait: 600_000 }, after))
    .then(() => blockJobEnded(ctx, rec, disk, endEvent))
    .catch((e: unknown) => {
      failed(e);
      ctx.log.warn(`block job on disk '${disk}' of domain '${rec.name}' failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  return now;
}

/** Tells the event bus that a block job of `disk` ended (or an active commit became ready). */
export function blockJobEnded(ctx: EngineContext, rec: DomainRecord, disk: string, event: 'completed' | 'failed' | 'canceled' | 'ready'): void {
  ctx.blockJobEvents.emit({ name: disk, uuid: rec.uuid, domain: rec.name }, event);
}

/**
 * virsh blockcommit (core/storage/block-commit-plan.ts decides top, base and the ending): the
 * images from top down to just above base are merged into base; an active commit then pivots
 * the disk (definitions included) to base, keeps it on top, or stays ready for blockjob --pivot
 * or --abort. The merged images QEMU no longer uses are closed, removed with --delete, and the
 * live definition's chain is read again.
 */
export async function blockCommit(ctx: EngineContext, rec: DomainRecord, disk: string, o: CommitOptions = {}): Promise<CommitResult> {
  const d = liveDisk(ctx, rec, disk);
  const chain = await readChain(d.file, d.format);
  const plan = planBlockCommit(chain, d.target, o);
  const top = chain[plan.top] as ChainImage;
  const base = chain[plan.base] as ChainImage;
  checkUnused(ctx, rec, d.target, plan.remove);
  const merged = chain.slice(plan.top, plan.base).map((c) => c.file);
  const recorded: RecordedCommit = { merged, base: { file: base.file, format: base.format }, remove: [...plan.remove], ...(plan.finish === undefined ? {} : { finish: plan.finish }) };
  // In the status file before QEMU runs the job (a daemon killed at any moment after knows it; one killed
  // before QEMU got it drops the record when it finds no job: block-job-restart.ts); forgotten when it fails.
  commitsOf(rec).set(d.target, recorded);
  await ctx.writeStatus(rec).catch(async (e: unknown) => {
    await recordCommit(ctx, rec, d.target, undefined);
    throw e;
  });
  const start = (started: () => void) => d.ops.commit(d.alias, {
    top: top.file, base: base.file, ...(o.bandwidth === undefined ? {} : { speed: o.bandwidth }),
    ...(plan.finish === undefined ? {} : { finish: plan.finish }), ...(plan.backingName === undefined ? {} : { backingFile: plan.backingName }),
  }, () => {
    if (plan.finish === 'ready') showMirror(rec, d.target, base); // the live XML shows the job (<mirror>) from its start
    started();
  }).catch(async (e: unknown) => {
    if (plan.finish === 'ready') showMirror(rec, d.target, undefined);
    await recordCommit(ctx, rec, d.target, undefined);
    throw e;
  });
  const result = { disk: d.target, image: plan.finish === 'pivot' ? base.file : d.file, base: base.file, deleted: [...plan.remove] };
  if (plan.finish === 'ready') {
    return follow(ctx, rec, d.target, o.background === true, start, async () => {
      showMirror(rec, d.target, base, true);
      await ctx.writeStatus(rec);
      return result;
    }, result, 'ready');
  }
  return follow(ctx, rec, d.target, o.background === true, start, async () => {
    await commitEnded(ctx, rec, d.target, recorded);
    return result;
  }, result);
}

/**
 * The bookkeeping after a commit ended in QEMU (`c` as recorded; `pivoted`: the disk now runs on
 * base): closes the merged images (not when the overlay was kept), switches the disk to base,
 * deletes, reads the chain, and forgets the record.
 */
async function commitEnded(ctx: EngineContext, rec: DomainRecord, target: string, c: RecordedCommit, pivoted = c.finish === 'pivot'): Promise<void> {
  const ops = ctx.requireHandle(rec).blockOps;
  if (c.finish !== 'keep-overlay' && (c.finish !== 'ready' || pivoted)) for (const f of c.merged) await ops?.release(f);
  if (pivoted) await switchImage(ctx, rec, target, c.base.file, c.base.format);
  if (c.finish !== 'ready' || pivoted) for (const f of c.remove) await rm(f, { force: true });
  await refreshLiveChain(ctx, rec, target);
  await recordCommit(ctx, rec, target, undefined);
}

/**
 * A commit the daemon took over after a restart ended in QEMU (block-job-restart.ts): the bookkeeping
 * its request asked for, as recorded; a commit with no record (an older daemon's) or one that failed
 * only has its chain read again.
 */
export async function takenOverCommitEnded(ctx: EngineContext, rec: DomainRecord, target: string, how: 'completed' | 'failed'): Promise<void> {
  const c = commitsOf(rec).get(target);
  if (c === undefined || how === 'failed') {
    await refreshLiveChain(ctx, rec, target);
    await recordCommit(ctx, rec, target, undefined);
    return;
  }
  await commitEnded(ctx, rec, target, c);
}

/** Drops a commit's record without writing the status file (the next write carries it). */
export function forgetCommit(rec: DomainRecord, target: string): void {
  commitsOf(rec).delete(target);
}

/** How a taken-over active commit that is ready ends by itself: as its request asked (pivot, keep the overlay), or left ready. */
export function takenOverReadyEnd(rec: DomainRecord, target: string): 'pivot' | 'cancel' | undefined {
  const finish = commitsOf(rec).get(target)?.finish;
  return finish === 'pivot' ? 'pivot' : finish === 'keep-overlay' ? 'cancel' : undefined;
}

/**
 * Ends a ready active commit: 'pivot' switches the disk to base (the merged images closed, removed
 * with the commit's --delete), 'cancel' leaves it on top (nothing deleted). The commit's record says
 * what to merge and delete, also after a restart (the status file keeps it); a job without one (started
 * by an older daemon) pivots the active image into its backing one, deleting nothing.
 */
export async function finishActiveCommit(ctx: EngineContext, rec: DomainRecord, disk: string, how: 'pivot' | 'cancel'): Promise<BlockJobsReport> {
  const report = await blockJobs(ctx, rec, disk);
  const d = liveDisk(ctx, rec, disk);
  if (!report.jobs.some((j) => j.type === 'active-commit')) throw new VirtkitError('OPERATION_INVALID', `disk '${d.target}' of domain '${rec.name}' has no active block commit`);
  await endReady(ctx, rec, d, how);
  return report;
}

/** Ends the ready active commit of live disk `d` (finishActiveCommit, blockJobAbort). */
async function endReady(ctx: EngineContext, rec: DomainRecord, d: LiveDisk, how: 'pivot' | 'cancel'): Promise<void> {
  const pending = commitsOf(rec).get(d.target) ?? await readyFromChain(d.file, d.format);
  await d.ops.finishReady(d.alias, how);
  showMirror(rec, d.target, undefined);
  // Ended as blockjob asks now, whatever the request had said: a pivot merges and deletes as recorded; a cancel keeps all.
  const asReady: RecordedCommit = { ...pending, finish: 'ready' };
  await commitEnded(ctx, rec, d.target, how === 'pivot' ? asReady : { ...asReady, remove: [] }, how === 'pivot');
  blockJobEnded(ctx, rec, d.target, how === 'pivot' ? 'completed' : 'canceled');
}

/** Ends a taken-over ready active commit as its request had asked (takenOverReadyEnd). */
export async function endTakenOverReady(ctx: EngineContext, rec: DomainRecord, target: string, how: 'pivot' | 'cancel'): Promise<void> {
  await endReady(ctx, rec, liveDisk(ctx, rec, target), how);
}

/**
 * The live XML's <mirror> on disk `target` for an active commit into `base`, as libvirt shows it
 * (job='active-commit', ready='yes' once synchronized); `base` undefined: the job is gone.
 */
export function showMirror(rec: DomainRecord, target: string, base: ChainImage | undefined, ready = false): void {
  const live = rec.runtime === undefined ? undefined : diskOf(rec.runtime.liveDef, target);
  if (live === undefined) return;
  if (base === undefined) delete live.mirror;
  else live.mirror = { type: 'file', job: 'active-commit', ...(ready ? { ready: 'yes' as const } : {}), format: { type: base.format as never }, source: { file: base.file } };
}

/**
 * A ready commit this daemon did not start (it restarted meanwhile): as virsh's default, the active
 * image into its backing one (block-job-restart.ts shows that base as the <mirror>).
 */
export async function readyFromChain(file: string, format: string): Promise<RecordedCommit> {
  const chain = await readChain(file, format);
  const base = chain[1];
  if (base === undefined) throw new VirtkitError('OPERATION_INVALID', `image '${file}' has no backing image`);
  return { merged: [file], base: { file: base.file, format: base.format }, remove: [], finish: 'ready' };
}

export async function blockPull(ctx: EngineContext, rec: DomainRecord, disk: string, speed?: number, background = false): Promise<void> {
  const d = liveDisk(ctx, rec, disk);
  await follow(ctx, rec, d.target, background, (started) => d.ops.pull(d.alias, speed === undefined ? {} : { speed }, started),
    () => refreshLiveChain(ctx, rec, d.target), undefined);
}

/** The disk's running jobs (virtkit names them vk-commit-ALIAS / vk-pull-ALIAS). */
export async function blockJobs(ctx: EngineContext, rec: DomainRecord, disk: string): Promise<BlockJobsReport> {
  const d = liveDisk(ctx, rec, disk);
  const jobs = (await d.ops.jobs()).filter((j) => j.id.endsWith(`-${d.alias}`));
  return { disk: d.target, jobs };
}

/**
 * virsh blockjob --abort: cancels the disk's jobs. A ready active commit is cancelled softly (the
 * disk stays on its top image, which holds everything); others are cancelled outright and end
 * (their request or background follower tells it) shortly after this answers.
 */
export async function blockJobAbort(ctx: EngineContext, rec: DomainRecord, disk: string): Promise<BlockJobsReport> {
  const report = await blockJobs(ctx, rec, disk);
  const d = liveDisk(ctx, rec, disk);
  for (const j of report.jobs) {
    if (j.type === 'active-commit' && j.status === 'ready') await endReady(ctx, rec, d, 'cancel');
    else await d.ops.abort(j.id);
  }
  return report;
}
