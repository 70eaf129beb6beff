/** virsh iothreadinfo: each I/O thread and its CPU affinity. */
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, impactOf, iothreadTable } from './tuning-format.js';

export default command({
  name: 'iothreadinfo',
  summary: 'view domain IOThreads',
  args: [DOMAIN_ARG],
  options: TUNE_OPTIONS,
  async run(ctx, { domain }, o) {
    const impact = impactOf(o);
    if (impact.live === true && impact.config === true) throw usageError('Options --live and --config are mutually exclusive');
    const r = await onDomain(domain, undefined, () => ctx.client().tuning(domain, impact.config === true ? { config: true } : {}));
    if (ctx.json) return ctx.printJson(r.iothreadpin);
    if (r.iothreadpin.length === 0) {
      ctx.print(`No IOThreads found for the domain`);
      return;
    }
    ctx.print(iothreadTable(r));
  },
});
