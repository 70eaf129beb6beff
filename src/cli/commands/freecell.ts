/** virsh freecell: the host's free memory, one NUMA cell's (--cellno), or every cell's and the total (--all). */
import { formatFreecell } from '../../core/node/node-report.js';
import { command, usageError } from '../framework.js';
import { parseCount } from '../node-options.js';

export default command({
  name: 'freecell',
  summary: 'NUMA free memory',
  args: [{ name: 'cellno', help: 'NUMA cell number', required: false }],
  options: { all: { type: 'boolean', help: 'show free memory for all NUMA cells' } },
  async run(ctx, a, o) {
    const cellno = parseCount(a.cellno as string | undefined, 'cellno');
    if (o.all && cellno !== undefined) throw usageError('Options --all and --cellno are mutually exclusive');
    const r = await ctx.client().hostTopology();
    const text = formatFreecell(r, { ...(cellno === undefined ? {} : { cellno }), all: o.all });
    if (!ctx.json) return ctx.print(text);
    const cells = r.topology.nodes.filter((n) => cellno === undefined || n.id === cellno).map((n) => ({ cell: n.id, freeKiB: n.memFreeKiB }));
    ctx.printJson(o.all || cellno !== undefined ? { cells, totalKiB: cells.reduce((s, c) => s + c.freeKiB, 0) } : { totalKiB: cells.reduce((s, c) => s + c.freeKiB, 0) });
  },
});
