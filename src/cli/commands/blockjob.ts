import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_ARG, jobLines } from '../snapshots.js';

export default command({
  name: 'blockjob',
  summary: 'Manage active block operations',
  args: [DOMAIN_ARG, DISK_ARG],
  options: {
    abort: { type: 'boolean', help: 'abort the active job on the specified disk' },
    info: { type: 'boolean', help: 'get active job information for the specified disk' },
  },
  async run(ctx, { domain, path }, o) {
    const client = ctx.client();
    const r = await onDomain(domain, undefined, () => (o.abort ? client.abortBlockJobs(domain, path) : client.blockJobs(domain, path)));
    if (ctx.json) return ctx.printJson(r);
    if (o.abort) return;
    ctx.print(r.jobs.length === 0 ? `No current block job for ${path}` : jobLines(r).join('\n'));
  },
});
