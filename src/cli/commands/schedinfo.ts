/** virsh schedinfo: the CPU shares and bandwidth; --set k=v (repeatable) changes them, live and/or in the definition. */
import type { TuningRequest } from '../../client/types.js';
import { SCHED_PARAM_NAMES } from '../../core/tuning/names.js';
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, impactOf, schedinfoLines } from './tuning-format.js';

const PARAMS: readonly string[] = SCHED_PARAM_NAMES;

export function parseSchedSet(items: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) {
    const m = /^([a-z_]+)=(-?\d+)$/.exec(item.trim());
    if (m === null) throw usageError(`Invalid syntax for --set, expecting name=value`);
    const [, k = '', v = ''] = m;
    if (!PARAMS.includes(k)) throw usageError(`invalid scheduler option: ${k}`);
    out[k] = Number(v);
  }
  return out;
}

export default command({
  name: 'schedinfo',
  summary: 'show/set scheduler parameters',
  args: [DOMAIN_ARG],
  options: { ...TUNE_OPTIONS, set: { type: 'string', arg: 'string', help: 'parameter=value', multiple: true } },
  async run(ctx, { domain }, o) {
    const impact = impactOf(o);
    const client = ctx.client();
    if (o.set.length > 0) {
      const params = parseSchedSet(o.set) as Extract<TuningRequest['change'], { what: 'sched' }>['params'];
      await onDomain(domain, undefined, () => client.setTuning(domain, { what: 'sched', params }, impact));
    }
    const both = impact.live === true && impact.config === true;
    if (both && o.set.length === 0) throw usageError('Options --live and --config are mutually exclusive when querying');
    // After a --set to both, the running domain's values are printed.
    const r = await onDomain(domain, undefined, () => client.tuning(domain, impact.config === true && !both ? { config: true } : {}));
    if (ctx.json) return ctx.printJson({ scheduler: 'posix', ...r.sched });
    ctx.print(schedinfoLines(r));
  },
});
