/** virsh numatune: the memory mode and host nodes; --mode/--nodeset change them, live (nodeset only) and/or in the definition. */
import { NUMA_MODES, type NumaMode } from '../../core/tuning/names.js';
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, impactOf, numatuneLines } from './tuning-format.js';

const MODES: readonly string[] = NUMA_MODES;

export default command({
  name: 'numatune',
  summary: 'Get or set numa parameters',
  args: [DOMAIN_ARG],
  options: {
    ...TUNE_OPTIONS,
    mode: { type: 'string', arg: 'string', help: 'NUMA mode, one of strict, preferred, interleave or restrictive' },
    nodeset: { type: 'string', arg: 'string', help: 'NUMA node selections to set' },
  },
  async run(ctx, { domain }, o) {
    const impact = impactOf(o);
    if (o.mode !== undefined || o.nodeset !== undefined) {
      // virsh also takes the mode's number (0-3).
      const mode = o.mode === undefined ? undefined : (/^\d$/.test(o.mode) ? MODES[Number(o.mode)] : o.mode);
      if (mode !== undefined && !MODES.includes(mode)) throw usageError(`Invalid mode: ${o.mode}`);
      const change = { what: 'numatune' as const, ...(mode === undefined ? {} : { mode: mode as NumaMode }), ...(o.nodeset === undefined ? {} : { nodeset: o.nodeset }) };
      const d = await onDomain(domain, undefined, () => ctx.client().setTuning(domain, change, impact));
      if (ctx.json) ctx.printJson(d);
      return;
    }
    if (impact.live === true && impact.config === true) throw usageError('Options --live and --config are mutually exclusive when querying');
    const r = await onDomain(domain, undefined, () => ctx.client().tuning(domain, impact.config === true ? { config: true } : {}));
    if (ctx.json) return ctx.printJson(r.numatune);
    ctx.print(numatuneLines(r));
  },
});
