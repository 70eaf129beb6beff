/** virsh cpu-models ARCH: the CPU model names guests of that architecture may use, one a line. */
import { CliError, command } from '../framework.js';
import { asVirtkitError } from '../../core/errors.js';

export default command({
  name: 'cpu-models',
  summary: 'CPU models',
  args: [{ name: 'arch', help: 'architecture', required: true }],
  options: {},
  async run(ctx, { arch }) {
    let models: string[];
    try {
      models = await ctx.client().cpuModels(arch);
    } catch (e) {
      const err = asVirtkitError(e);
      if (err.code === 'DAEMON_UNREACHABLE') throw err;
      throw new CliError(['failed to get CPU model names', err.message], err);
    }
    if (ctx.json) return ctx.printJson({ models });
    ctx.print(models.join('\n'));
  },
});
