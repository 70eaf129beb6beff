import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'setvcpus',
  summary: 'change number of virtual CPUs',
  args: [DOMAIN_ARG, { name: 'count', help: 'number of virtual CPUs', required: true }],
  options: { live: { type: 'boolean', help: 'affect running domain (the only mode supported)' } },
  async run(ctx, { domain, count }) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) throw usageError(`Numeric value '${count}' for <count> option is malformed or out of range`);
    const d = await onDomain(domain, undefined, () => ctx.client().setVcpus(domain, n));
    if (ctx.json) ctx.printJson(d);
  },
});
