import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { BANDWIDTH_OPTS, bandwidthOf, DISK_ARG, withProgress } from '../snapshots.js';

export default command({
  name: 'blockpull',
  summary: 'Populate a disk from its backing image.',
  args: [DOMAIN_ARG, DISK_ARG],
  options: {
    wait: { type: 'boolean', help: 'wait for job to finish' },
    verbose: { type: 'boolean', help: 'with --wait, display the progress' },
    ...BANDWIDTH_OPTS,
  },
  async run(ctx, { domain, path }, o) {
    const bw = bandwidthOf(o);
    const client = ctx.client();
    if (o.verbose && !o.wait) throw usageError('--verbose requires --wait');
    // Without --wait, as virsh: the daemon answers once the job runs (its end is a block-job event).
    const req = o.wait ? bw : { ...bw, background: true };
    await onDomain(domain, `Failed to pull disk ${path}`, () => withProgress(ctx, o.verbose && !ctx.json, client, domain, path, client.blockPull(domain, path, req)));
    if (ctx.json) return ctx.printJson({ disk: path });
    ctx.print(o.wait ? '\nPull complete' : 'Block Pull started');
  },
});
