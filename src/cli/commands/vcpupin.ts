/** virsh vcpupin: with a CPU list pins one vCPU (live and/or in the definition), without it prints the pinning table. */
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { TUNE_OPTIONS, impactOf, vcpupinTable, wholeNumber } from './tuning-format.js';

export default command({
  name: 'vcpupin',
  summary: 'control or query domain vcpu affinity',
  args: [DOMAIN_ARG, { name: 'vcpu', help: 'vcpu number', required: false }, { name: 'cpulist', help: 'host cpu number(s) to set, or omit option to query', required: false }],
  options: TUNE_OPTIONS,
  async run(ctx, args, o) {
    const { domain } = args;
    const vcpuText = (args as { vcpu?: string }).vcpu;
    const cpulist = (args as { cpulist?: string }).cpulist;
    const vcpu = vcpuText === undefined ? undefined : wholeNumber(vcpuText, 'vcpu');
    const impact = impactOf(o);
    if (cpulist === undefined) {
      if (impact.live === true && impact.config === true) throw usageError('Options --live and --config are mutually exclusive when querying');
      const r = await onDomain(domain, undefined, () => ctx.client().tuning(domain, impact.config === true ? { config: true } : {}));
      if (vcpu !== undefined && !r.vcpupin.some((p) => p.vcpu === vcpu)) throw usageError(`vcpu ${vcpu} is out of range of ${r.of === 'live' ? 'live' : 'persistent'} cpu count ${r.vcpupin.length}`);
      if (ctx.json) return ctx.printJson(r.vcpupin.filter((p) => vcpu === undefined || p.vcpu === vcpu));
      ctx.print(vcpupinTable(r, vcpu));
      return;
    }
    if (vcpu === undefined) throw usageError('vcpupin: Missing vCPU number in pin mode.');
    const d = await onDomain(domain, undefined, () => ctx.client().setTuning(domain, { what: 'vcpupin', vcpu, cpuset: cpulist }, impact));
    if (ctx.json) ctx.printJson(d);
  },
});
