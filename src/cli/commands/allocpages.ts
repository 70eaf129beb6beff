/**
 * virsh allocpages: sizes the huge page pool of PAGESIZE to COUNT pages (or adds COUNT with
 * --add) on one NUMA cell (--cellno), on every cell (--all), or host-wide. Prints nothing, as virsh.
 */
import { command, usageError } from '../framework.js';
import { parseCount, parsePageSize } from '../node-options.js';

export default command({
  name: 'allocpages',
  summary: 'Manipulate pages pool size',
  args: [
    { name: 'pagesize', help: 'page size (in kibibytes)', required: true },
    { name: 'pagecount', help: 'page count', required: true },
  ],
  options: {
    cellno: { type: 'string', help: 'NUMA cell number', arg: 'number' },
    add: { type: 'boolean', help: 'instead of setting new pool size add pages to it' },
    all: { type: 'boolean', help: 'set on all NUMA cells' },
  },
  async run(ctx, a, o) {
    const pageSizeKiB = parsePageSize(a.pagesize) ?? 0;
    const count = parseCount(a.pagecount, 'pagecount') ?? 0;
    const cellno = parseCount(o.cellno, 'cellno');
    if (o.all && cellno !== undefined) throw usageError('Options --all and --cellno are mutually exclusive');
    const client = ctx.client();
    const cells = o.all ? (await client.hostTopology()).topology.nodes.map((n) => n.id) : [cellno];
    let report;
    for (const cell of cells) {
      // a failure is printed as virsh prints it: `error: ` and the daemon's message
      report = await client.allocPages({ pageSizeKiB, count, ...(cell === undefined ? {} : { cell }), ...(o.add ? { add: true } : {}) });
    }
    if (ctx.json) ctx.printJson(report);
  },
});
