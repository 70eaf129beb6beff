/** virsh nodecpumap: present and online host CPUs and the map of the online ones. */
import { formatNodeCpumap } from '../../core/node/node-report.js';
import { command } from '../framework.js';

export default command({
  name: 'nodecpumap',
  summary: 'node cpu map',
  args: [],
  options: { pretty: { type: 'boolean', help: 'return human readable output' } },
  async run(ctx, _a, o) {
    const r = await ctx.client().hostTopology();
    if (!ctx.json) return ctx.print(formatNodeCpumap(r, o.pretty));
    ctx.printJson({ present: r.presentCpus.length === 0 ? 0 : Math.max(...r.presentCpus) + 1, online: r.topology.cpus.map((c) => c.id) });
  },
});
