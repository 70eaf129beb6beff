/** virsh cpu-baseline FILE: the newest CPU model plus features all the file's CPUs have (src/cli/cpu-query.ts). */
import { runCpuBaseline } from '../cpu-query.js';
import { command } from '../framework.js';

export default command({
  name: 'cpu-baseline',
  summary: 'compute baseline CPU',
  args: [{ name: 'file', help: 'XML file containing CPU descriptions', required: true }],
  options: {
    features: { type: 'boolean', help: 'Show features that are part of the CPU model type' },
  },
  async run(ctx, { file }, o) {
    await runCpuBaseline(ctx, file, 'host', { features: o.features === true });
  },
});
