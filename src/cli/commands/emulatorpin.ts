/** virsh emulatorpin: with a CPU list pins QEMU's emulator threads, without it prints their affinity. */
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, emulatorpinLines, impactOf } from './tuning-format.js';

export default command({
  name: 'emulatorpin',
  summary: 'control or query domain emulator affinity',
  args: [DOMAIN_ARG, { name: 'cpulist', help: 'host cpu number(s) to set, or omit option to query', required: false }],
  options: TUNE_OPTIONS,
  async run(ctx, args, o) {
    const { domain } = args;
    const cpulist = (args as { cpulist?: string }).cpulist;
    const impact = impactOf(o);
    if (cpulist === undefined) {
      if (impact.live === true && impact.config === true) throw usageError('Options --live and --config are mutually exclusive when querying');
      const r = await onDomain(domain, undefined, () => ctx.client().tuning(domain, impact.config === true ? { config: true } : {}));
      if (ctx.json) return ctx.printJson({ emulatorpin: r.emulatorpin });
      ctx.print(emulatorpinLines(r));
      return;
    }
    const d = await onDomain(domain, undefined, () => ctx.client().setTuning(domain, { what: 'emulatorpin', cpuset: cpulist }, impact));
    if (ctx.json) ctx.printJson(d);
  },
});
