/** virsh hypervisor-cpu-baseline FILE: the baseline of the file's CPUs that the hypervisor can give a guest (src/cli/cpu-query.ts). */
import { checkCpuArch, runCpuBaseline } from '../cpu-query.js';
import { command } from '../framework.js';

export default command({
  name: 'hypervisor-cpu-baseline',
  summary: 'compute baseline CPU usable by a specific hypervisor',
  args: [{ name: 'file', help: 'XML file containing CPU descriptions', required: true }],
  options: {
    virttype: { type: 'string', help: 'virtualization type (qemu, kvm)', arg: 'string' },
    arch: { type: 'string', help: 'CPU architecture (x86_64)', arg: 'string' },
    features: { type: 'boolean', help: 'Show features that are part of the CPU model type' },
  },
  async run(ctx, { file }, o) {
    checkCpuArch(o.arch);
    await runCpuBaseline(ctx, file, 'hypervisor', { ...(o.virttype === undefined ? {} : { virttype: o.virttype }), features: o.features === true });
  },
});
