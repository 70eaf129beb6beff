import type { BlockJobsReport } from '../../client/types.js';
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_ARG } from '../snapshots.js';

const KIND: Readonly<Record<string, string>> = { commit: 'Block Commit', stream: 'Block Pull', mirror: 'Block Copy', backup: 'Backup' };

/** virsh's line: `Block Commit: [ 42 %]`. */
function line(r: BlockJobsReport): string {
  return r.jobs.map((j) => `${KIND[j.type] ?? j.type}: [${String(j.total === 0 ? 100 : Math.floor((j.done * 100) / j.total)).padStart(3)} %]`).join('\n');
}

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
    ctx.print(r.jobs.length === 0 ? `No current block job for ${path}` : line(r));
  },
});
