import { CliError, command, ExitStatus, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { BANDWIDTH_OPTS, bandwidthOf, DISK_ARG, withProgress } from '../snapshots.js';

/**
 * virsh blockcommit. Without --wait (or --pivot, --keep-overlay, --timeout) the daemon answers once
 * QEMU runs the job and finishes it itself (docs/snapshots.md); with them it answers when the job
 * has ended, or for a plain --active --wait when it is ready (blockjob --pivot / --abort end it).
 * --timeout aborts the job after that many seconds.
 */
export default command({
  name: 'blockcommit',
  summary: 'Start a block commit operation.',
  args: [DOMAIN_ARG, DISK_ARG],
  options: {
    ...BANDWIDTH_OPTS,
    base: { type: 'string', arg: 'string', help: 'path of base file to commit into (default bottom of chain)' },
    shallow: { type: 'boolean', help: 'use backing file of top as base' },
    top: { type: 'string', arg: 'string', help: 'path of top file to commit from (default top of chain)' },
    active: { type: 'boolean', help: 'trigger two-stage active commit of top file' },
    delete: { type: 'boolean', help: 'delete files that were successfully committed' },
    wait: { type: 'boolean', help: 'wait for job to complete (with --active, wait for job to sync)' },
    verbose: { type: 'boolean', help: 'with --wait, display the progress' },
    timeout: { type: 'string', arg: 'number', help: 'implies --wait, abort if copy exceeds timeout (in seconds)' },
    pivot: { type: 'boolean', help: 'implies --active --wait, pivot when commit is synced' },
    'keep-overlay': { type: 'boolean', help: 'implies --active --wait, quit when commit is synced' },
    async: { type: 'boolean', help: 'with --wait, don\'t wait for cancel to finish' },
    'keep-relative': { type: 'boolean', help: 'keep the backing chain relatively referenced' },
  },
  async run(ctx, { domain, path }, o) {
    if (o.pivot && o['keep-overlay']) throw usageError('Options --pivot and --keep-overlay are mutually exclusive');
    const timeout = o.timeout === undefined ? undefined : Number(o.timeout);
    if (timeout !== undefined && !(Number.isSafeInteger(timeout) && timeout > 0)) throw usageError(`invalid timeout value '${o.timeout}'`);
    const blocking = o.wait || o.pivot || o['keep-overlay'] || timeout !== undefined;
    if (o.verbose && !blocking) throw usageError('--verbose requires at least one of --timeout, --wait, --pivot, or --keep-overlay');
    if (o.async && !blocking) throw usageError('--async requires at least one of --timeout, --wait, --pivot, or --keep-overlay');
    const client = ctx.client();
    const req = {
      ...bandwidthOf(o),
      ...(o.top === undefined ? {} : { top: o.top }), ...(o.base === undefined ? {} : { base: o.base }),
      ...(o.shallow ? { shallow: true } : {}), ...(o.active ? { active: true } : {}), ...(o.pivot ? { pivot: true } : {}),
      ...(o['keep-overlay'] ? { keepOverlay: true } : {}), ...(o.delete ? { delete: true } : {}), ...(o['keep-relative'] ? { keepRelative: true } : {}),
      ...(blocking ? {} : { background: true }),
    };
    let timedOut = false;
    let settled = false;
    // The request answers when the job has ended; the job itself may not have started yet when
    // the time is up (the daemon reads the chain first): abort once QEMU has it.
    const abort = async (): Promise<void> => {
      while (!settled) {
        const r = await client.abortBlockJobs(domain, path).catch(() => undefined);
        if (r !== undefined && r.jobs.length > 0) return;
        await new Promise((res) => setTimeout(res, 100));
      }
    };
    const timer = timeout === undefined ? undefined : setTimeout(() => {
      timedOut = true;
      void abort();
    }, timeout * 1000);
    try {
      const job = client.blockCommit(domain, path, req).finally(() => { settled = true; });
      const r = await onDomain(domain, `Failed to commit disk ${path}`, () => withProgress(ctx, o.verbose && !ctx.json, client, domain, path, job));
      if (ctx.json) return ctx.printJson(r);
      if (!blocking) ctx.print(o.active ? 'Active Block Commit started' : 'Block Commit started');
      else ctx.print(o.pivot ? '\nSuccessfully pivoted' : o['keep-overlay'] ? '\nCommit complete, overlay image kept' : o.active ? '\nNow in synchronized phase' : '\nCommit complete');
    } catch (e) {
      // As virsh: `Commit aborted` on stdout after a blank line, exit status 1.
      if (timedOut && e instanceof CliError && e.error?.code === 'OPERATION_ABORTED' && !ctx.json) {
        ctx.print('\nCommit aborted');
        throw new ExitStatus(1);
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  },
});
