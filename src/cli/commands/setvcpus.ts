import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { IMPACT_OPTIONS, impactOf } from './setmem.js';

export default command({
  name: 'setvcpus',
  summary: 'change number of virtual CPUs',
  args: [DOMAIN_ARG, { name: 'count', help: 'number of virtual CPUs', required: true }],
  options: { ...IMPACT_OPTIONS, maximum: { type: 'boolean', help: 'set maximum limit on next boot' } },
  async run(ctx, { domain, count }, o) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 1) throw usageError(`Numeric value '${count}' for <count> option is malformed or out of range`);
    const opts = { ...impactOf(o), ...(o.maximum ? { maximum: true } : {}) };
    const d = await onDomain(domain, undefined, () => ctx.client().setVcpus(domain, n, opts));
    if (ctx.json) ctx.printJson(d);
  },
});
