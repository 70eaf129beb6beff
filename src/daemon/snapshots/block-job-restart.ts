/**
 * A daemon that re-attaches to a running domain (a restart, or a start after kill -9) finds the
 * block jobs virtkit started in its QEMU (query-jobs) and takes them over: each is followed to its
 * end (or an active commit to its ready state), then its disk's chain in the live definition is
 * read again and the end told as a block-job event. A job that ended while no daemon watched is
 * concluded (virtkit starts every job without auto-dismiss): it is dismissed and reconciled the
 * same way. What the request that started a commit asked for besides is in the status file (the
 * commit's record, block-jobs.ts) and is done as it would have been: the merged images closed,
 * --delete's removals, an active commit's --pivot or --keep-overlay once it is ready; one started
 * without either stays ready for blockjob --pivot / --abort.
 */
import { isVirtkitError } from '../../core/errors.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import { blockJobEnded, endTakenOverReady, forgetCommit, readyFromChain, showMirror, takenOverCommitEnded, takenOverReadyEnd } from './block-jobs.js';
import { diskOf } from './disks.js';

/** The disk (target) a job of virtkit's (vk-commit-ALIAS, vk-active-commit-ALIAS, vk-pull-ALIAS) runs on. */
function diskOfJob(rec: DomainRecord, id: string): string | undefined {
  const m = /^vk-(?:active-commit|commit|pull)-(.+)$/.exec(id);
  if (m === null) return undefined;
  const disks = rec.runtime?.liveDef.devices?.disk ?? [];
  return disks.find((d) => d.alias?.name === m[1] || d.target?.dev === m[1])?.target?.dev;
}

export async function resumeBlockJobs(ctx: EngineContext, rec: DomainRecord): Promise<void> {
  const ops = rec.runtime?.handle?.blockOps;
  if (ops === undefined) return;
  const jobs = await ops.jobs();
  // A commit recorded by a daemon killed before QEMU ran it: nothing to finish.
  const running = new Set(jobs.map((j) => diskOfJob(rec, j.id)));
  for (const disk of rec.runtime?.commits?.keys() ?? []) if (!running.has(disk)) forgetCommit(rec, disk);
  await Promise.all(jobs.map(async (j) => {
    const disk = diskOfJob(rec, j.id);
    if (disk === undefined) return;
    const live = rec.runtime === undefined ? undefined : diskOf(rec.runtime.liveDef, disk);
    // An active commit's <mirror>: the status file may have been written before the job started.
    const file = live?.source?.file;
    if (j.type === 'active-commit' && live?.mirror === undefined && file !== undefined) {
      const base = (await readyFromChain(file, live?.driver?.type ?? 'qcow2').catch(() => undefined))?.base;
      if (base !== undefined) showMirror(rec, disk, base);
    }
    let end: 'completed' | 'failed' | 'canceled' | 'ready';
    try {
      end = (await ops.followJob(j.id)) === 'ready' ? 'ready' : 'completed';
    } catch (e) {
      end = isVirtkitError(e) && e.code === 'OPERATION_ABORTED' ? 'canceled' : 'failed';
      ctx.log.warn(`block job '${j.id}' of domain '${rec.name}' failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    // The <mirror>: ready now, or gone with the job.
    if (end === 'ready' && live?.mirror !== undefined) {
      live.mirror.ready = 'yes';
      await ctx.writeStatus(rec);
    }
    const how = end === 'ready' ? takenOverReadyEnd(rec, disk) : undefined;
    if (how !== undefined) {
      // Asked with --pivot / --keep-overlay: ended now as the request would have (endTakenOverReady tells the end).
      blockJobEnded(ctx, rec, disk, 'ready');
      await ctx.job(rec.name, 'blockjob-end', { wait: 600_000 }, () => endTakenOverReady(ctx, rec, disk, how));
      return;
    }
    if (end !== 'ready') {
      if (live !== undefined) delete live.mirror;
      await ctx.job(rec.name, 'blockjob-end', { wait: 600_000 }, () => takenOverCommitEnded(ctx, rec, disk, end === 'completed' ? 'completed' : 'failed'));
    }
    blockJobEnded(ctx, rec, disk, end);
  }));
}
