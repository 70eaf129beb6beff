/** virsh cpu-compare FILE: compare the host CPU with a CPU described by an XML file (src/cli/cpu-query.ts). */
import { runCpuCompare } from '../cpu-query.js';
import { command } from '../framework.js';

export default command({
  name: 'cpu-compare',
  summary: 'compare host CPU with a CPU described by an XML file',
  args: [{ name: 'file', help: 'file containing an XML CPU description', required: true }],
  options: {
    error: { type: 'boolean', help: 'report error if CPUs are incompatible' },
  },
  async run(ctx, { file }, o) {
    await runCpuCompare(ctx, file, 'host', { error: o.error === true });
  },
});
