/**
 * virsh vcpuinfo: per vCPU its host CPU, state, CPU time and affinity, as `%-15s %s` fields;
 * the affinity as a y/- map, or with --pretty as a CPU list.
 */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { fields } from '../format.js';
import { formatCpuset } from '../../core/placement/cpuset.js';

export default command({
  name: 'vcpuinfo',
  summary: 'detailed domain vcpu information',
  args: [DOMAIN_ARG],
  options: { pretty: { type: 'boolean', help: 'return human readable output' } },
  async run(ctx, { domain }, o) {
    const r = await onDomain(domain, undefined, () => ctx.client().vcpuInfo(domain));
    if (ctx.json) return ctx.printJson(r);
    const all = Array.from({ length: r.hostCpus }, (_, i) => i);
    const map = (cpus: readonly number[] | undefined) => o.pretty ? formatCpuset(cpus ?? all) :
      Array.from({ length: r.hostCpus }, (_, i) => (cpus === undefined || cpus.includes(i) ? 'y' : '-')).join('');
    const blocks = r.vcpus === null
      ? Array.from({ length: r.maximum }, (_, i) => fields(15, [
        ['VCPU:', String(i)], ['CPU:', 'N/A'], ['State:', 'N/A'], ['CPU time', 'N/A'], ['CPU Affinity:', map(undefined)],
      ]))
      : r.vcpus.map((v) => fields(15, [
        ['VCPU:', String(v.vcpu)], ['CPU:', String(v.cpu)], ['State:', v.state], ['CPU time:', `${(v.cpuTimeNs / 1e9).toFixed(1)}s`],
        ['CPU Affinity:', map(v.affinity)],
      ]));
    ctx.print(blocks.join('\n\n'));
  },
});
