/**
 * virsh nodecpustats: the host's CPU time counters (user, system, idle, iowait, ns), or one
 * CPU's; --percent samples twice, a second apart as virsh does, and prints each one's share.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cpuShares, formatCpuShares, formatCpuStats } from '../../core/node/stats-format.js';
import { command } from '../framework.js';
import { parseCount } from '../node-options.js';

export default command({
  name: 'nodecpustats',
  summary: 'Prints cpu stats of the node.',
  args: [{ name: 'cpu', help: 'prints specified cpu statistics only.', required: false }],
  options: { percent: { type: 'boolean', help: 'prints by percentage during 1 second.' } },
  async run(ctx, a, o) {
    const cpu = parseCount(a.cpu as string | undefined, 'cpu');
    const client = ctx.client();
    const first = await client.cpuStats(cpu);
    if (!o.percent) return ctx.json ? ctx.printJson(first) : ctx.print(formatCpuStats(first.stats));
    await sleep(1000);
    const shares = cpuShares(first.stats, (await client.cpuStats(cpu)).stats);
    if (ctx.json) return ctx.printJson(shares);
    ctx.print(formatCpuShares(shares));
  },
});
