/** virsh setmaxmem: the definition's maximum memory; a running domain takes it only with --config (next boot). */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { IMPACT_OPTIONS, impactOf, parseKiB } from './setmem.js';

export default command({
  name: 'setmaxmem',
  summary: 'change maximum memory limit',
  args: [DOMAIN_ARG, { name: 'size', help: 'new maximum memory size, as scaled integer (default KiB)', required: true }],
  options: IMPACT_OPTIONS,
  async run(ctx, { domain, size }, o) {
    const kib = parseKiB(size);
    const d = await onDomain(domain, 'Unable to change MaxMemorySize', () => ctx.client().setMaxMemory(domain, kib, impactOf(o)));
    if (ctx.json) ctx.printJson(d);
  },
});
