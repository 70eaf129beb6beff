/** virsh cpu-models ARCH: the CPU model names guests of that architecture may use, one a line. */
import { command, onFailure } from '../framework.js';

export default command({
  name: 'cpu-models',
  summary: 'CPU models',
  args: [{ name: 'arch', help: 'architecture', required: true }],
  options: {},
  async run(ctx, { arch }) {
    const models = await onFailure('failed to get CPU model names', () => ctx.client().cpuModels(arch));
    if (ctx.json) return ctx.printJson({ models });
    ctx.print(models.join('\n'));
  },
});
