/**
 * blockcommit, blockpull and blockjob on a running domain's disk (by target, vda). blockcommit
 * is virsh's (--top, --base, --shallow, --active with --pivot or --keep-overlay, --delete). blockpull
 * copies the whole backing chain into the active image; the disk keeps its image but no longer
 * needs the backing files. Progress is what query-jobs reports while they run (blockjob --info).
 */
import { rm } from 'node:fs/promises';
import { VirtkitError } from '../../core/errors.js';
import { planBlockCommit, type ChainImage, type CommitRequest } from '../../core/storage/block-commit-plan.js';
import type { BlockJobInfo } from '../driver.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import { checkUnused, readChain, refreshLiveChain } from './chain.js';
import { diskOf, switchImage } from './disks.js';

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

export type CommitOptions = CommitRequest & { readonly bandwidth?: number };

export interface CommitResult {
  readonly disk: string;
  /** The image the disk runs on after the commit. */
  readonly image: string;
  /** The image committed into. */
  readonly base: string;
  /** The files removed (--delete). */
  readonly deleted: string[];
}

/**
 * virsh blockcommit (core/storage/block-commit-plan.ts decides top, base and the ending): the
 * images from top down to just above base are merged into base; an active commit then pivots
 * the disk (definitions included) to base or keeps it on top. The merged images QEMU no longer
 * uses are closed, removed with --delete, and the live definition's chain is read again.
 */
export async function blockCommit(ctx: EngineContext, rec: DomainRecord, disk: string, o: CommitOptions = {}): Promise<CommitResult> {
  const d = liveDisk(ctx, rec, disk);
  const chain = await readChain(d.file, d.format);
  const plan = planBlockCommit(chain, d.target, o);
  const top = chain[plan.top] as ChainImage;
  const base = chain[plan.base] as ChainImage;
  checkUnused(ctx, rec, d.target, plan.remove);
  await d.ops.commit(d.alias, {
    top: top.file, base: base.file, ...(o.bandwidth === undefined ? {} : { speed: o.bandwidth }),
    ...(plan.finish === undefined ? {} : { finish: plan.finish }), ...(plan.backingName === undefined ? {} : { backingFile: plan.backingName }),
  });
  const merged = chain.slice(plan.top, plan.base).map((c) => c.file);
  if (plan.finish !== 'keep-overlay') for (const f of merged) await d.ops.release(f);
  if (plan.finish === 'pivot') await switchImage(ctx, rec, d.target, base.file, base.format);
  for (const f of plan.remove) await rm(f, { force: true });
  await refreshLiveChain(ctx, rec, d.target);
  return { disk: d.target, image: plan.finish === 'pivot' ? base.file : d.file, base: base.file, deleted: [...plan.remove] };
}

export async function blockPull(ctx: EngineContext, rec: DomainRecord, disk: string, speed?: number): Promise<void> {
  const d = liveDisk(ctx, rec, disk);
  await d.ops.pull(d.alias, speed === undefined ? {} : { speed });
  await refreshLiveChain(ctx, rec, d.target);
}

/** The disk's running jobs (virtkit names them vk-commit-ALIAS / vk-pull-ALIAS). */
export async function blockJobs(ctx: EngineContext, rec: DomainRecord, disk: string): Promise<BlockJobsReport> {
  const d = liveDisk(ctx, rec, disk);
  const jobs = (await d.ops.jobs()).filter((j) => j.id.endsWith(`-${d.alias}`));
  return { disk: d.target, jobs };
}

export async function blockJobAbort(ctx: EngineContext, rec: DomainRecord, disk: string): Promise<BlockJobsReport> {
  const report = await blockJobs(ctx, rec, disk);
  const d = liveDisk(ctx, rec, disk);
  for (const j of report.jobs) await d.ops.abort(j.id);
  return report;
}
