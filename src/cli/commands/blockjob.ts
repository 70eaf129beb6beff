import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_ARG, jobLines } from '../snapshots.js';

/**
 * virsh blockjob: --info (the default) prints the disk's jobs and progress; --abort cancels them
 * (a ready active commit softly: the disk stays on its top image) and waits until they are gone
 * unless --async; --pivot (or virsh's older --abort --pivot) completes a ready active commit.
 */
export default command({
  name: 'blockjob',
  summary: 'Manage active block operations',
  args: [DOMAIN_ARG, DISK_ARG],
  options: {
    abort: { type: 'boolean', help: 'abort the active job on the specified disk' },
    async: { type: 'boolean', help: 'implies --abort; request but don\'t wait for job end' },
    pivot: { type: 'boolean', help: 'implies --abort; conclude and pivot a copy or commit job' },
    info: { type: 'boolean', help: 'get active job information for the specified disk' },
  },
  async run(ctx, { domain, path }, o) {
    const abort = o.abort || o.async;
    if (o.info && (abort || o.pivot)) throw usageError('Options --info and --abort/--async/--pivot are mutually exclusive');
    const client = ctx.client();
    if (o.pivot) {
      const r = await onDomain(domain, undefined, () => client.pivotBlockJob(domain, path));
      return ctx.json ? ctx.printJson(r) : undefined;
    }
    if (abort) {
      const r = await onDomain(domain, undefined, () => client.abortBlockJobs(domain, path));
      // As virsh without --async: wait until the job has gone.
      while (!o.async && (await client.blockJobs(domain, path)).jobs.length > 0) await new Promise((res) => setTimeout(res, 100));
      return ctx.json ? ctx.printJson(r) : undefined;
    }
    const r = await onDomain(domain, undefined, () => client.blockJobs(domain, path));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(r.jobs.length === 0 ? `No current block job for ${path}` : jobLines(r).join('\n'));
  },
});
