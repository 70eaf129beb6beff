import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { BANDWIDTH_OPTS, bandwidthOf, DISK_ARG, withProgress } from '../snapshots.js';

export default command({
  name: 'blockcommit',
  summary: 'Start a block commit operation.',
  args: [DOMAIN_ARG, DISK_ARG],
  options: {
    active: { type: 'boolean', help: 'trigger two-stage active commit of top file' },
    pivot: { type: 'boolean', help: 'implies --wait, pivot when commit is synced' },
    wait: { type: 'boolean', help: 'wait for job to complete' },
    verbose: { type: 'boolean', help: 'with --wait, display the progress' },
    ...BANDWIDTH_OPTS,
  },
  async run(ctx, { domain, path }, o) {
    // virtkit commits only the active image, and always pivots: say so rather than do something else.
    if (!o.active || !o.pivot) throw usageError('virtkit commits only the active image into its backing file and pivots to it: use --active --pivot');
    const bw = bandwidthOf(o);
    const client = ctx.client();
    const r = await onDomain(domain, `Failed to commit disk ${path}`, () => withProgress(ctx, o.verbose && !ctx.json, client, domain, path, client.blockCommit(domain, path, bw)));
    if (ctx.json) return ctx.printJson(r);
    ctx.print('\nSuccessfully pivoted');
  },
});
