/** virsh iothreadpin: pins one I/O thread (its id as in <iothreadids> or 1..<iothreads>). */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, impactOf, wholeNumber } from './tuning-format.js';

export default command({
  name: 'iothreadpin',
  summary: 'control domain IOThread affinity',
  args: [DOMAIN_ARG, { name: 'iothread', help: 'IOThread ID number', required: true }, { name: 'cpulist', help: 'host cpu number(s) to set', required: true }],
  options: TUNE_OPTIONS,
  async run(ctx, { domain, iothread, cpulist }, o) {
    const id = wholeNumber(iothread, 'iothread');
    const d = await onDomain(domain, undefined, () => ctx.client().setTuning(domain, { what: 'iothreadpin', iothread: id, cpuset: cpulist }, impactOf(o)));
    if (ctx.json) ctx.printJson(d);
  },
});
