/** virsh hypervisor-cpu-compare FILE: compare a CPU with what the hypervisor gives a guest (src/cli/cpu-query.ts). */
import { checkCpuArch, runCpuCompare } from '../cpu-query.js';
import { command } from '../framework.js';

export default command({
  name: 'hypervisor-cpu-compare',
  summary: 'compare a CPU with the CPU created by a hypervisor on the host',
  args: [{ name: 'file', help: 'file containing an XML CPU description', required: true }],
  options: {
    virttype: { type: 'string', help: 'virtualization type (qemu, kvm)', arg: 'string' },
    arch: { type: 'string', help: 'CPU architecture (x86_64)', arg: 'string' },
    error: { type: 'boolean', help: 'report error if CPUs are incompatible' },
  },
  async run(ctx, { file }, o) {
    checkCpuArch(o.arch);
    await runCpuCompare(ctx, file, 'hypervisor', { ...(o.virttype === undefined ? {} : { virttype: o.virttype }), error: o.error === true });
  },
});
