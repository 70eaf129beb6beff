/** virsh nodememstats: the host's memory counters (total, free, buffers, cached), or one NUMA cell's (total, free). */
import { formatMemStats } from '../../core/node/stats-format.js';
import { command } from '../framework.js';
import { parseCount } from '../node-options.js';

export default command({
  name: 'nodememstats',
  summary: 'Prints memory stats of the node.',
  args: [{ name: 'cell', help: 'prints specified cell statistics only.', required: false }],
  options: {},
  async run(ctx, a) {
    const r = await ctx.client().memoryStats(parseCount(a.cell as string | undefined, 'cell'));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(formatMemStats(r.stats));
  },
});
