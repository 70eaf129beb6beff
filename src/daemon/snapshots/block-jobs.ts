/**
 * blockcommit, blockpull and blockjob on a running domain's disk (by target, vda). virtkit's
 * block commit is libvirt's `blockcommit --active --pivot`: the disk's active image is merged
 * into its backing image, the disk switches to that image (definitions included) and the
 * merged overlay file is kept (virsh keeps it too: `--delete` is not supported). blockpull
 * copies the whole backing chain into the active image; the disk keeps its image but no longer
 * needs the backing files. Progress is what query-jobs reports while they run (blockjob --info).
 */
import { VirtkitError } from '../../core/errors.js';
import { QemuImg } from '../../host/storage/qemu-img.js';
import type { BlockJobInfo } from '../driver.js';
import type { EngineContext } from '../engine/context.js';
import type { DomainRecord } from '../engine/registry.js';
import { diskOf, switchImage } from './disks.js';

const img = new QemuImg();

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

export async function blockCommit(ctx: EngineContext, rec: DomainRecord, disk: string, speed?: number): Promise<string> {
  const d = liveDisk(ctx, rec, disk);
  const info = await img.info({ path: d.file, format: d.format }, { forceShare: true });
  const backing = info.fullBackingFilename ?? info.backingFilename;
  if (backing === undefined) throw new VirtkitError('OPERATION_INVALID', `disk '${d.target}' ('${d.file}') has no backing image to commit into`);
  const format = info.backingFormat;
  if (format === undefined) throw new VirtkitError('BACKING_FORMAT_MISSING', `'${d.file}' does not record its backing image's format; virtkit never guesses it`);
  await d.ops.commit(d.alias, { base: backing, ...(speed === undefined ? {} : { speed }) });
  await d.ops.release(d.file);
  await switchImage(ctx, rec, d.target, backing, format);
  return backing;
}

export async function blockPull(ctx: EngineContext, rec: DomainRecord, disk: string, speed?: number): Promise<void> {
  const d = liveDisk(ctx, rec, disk);
  await d.ops.pull(d.alias, speed === undefined ? {} : { speed });
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
