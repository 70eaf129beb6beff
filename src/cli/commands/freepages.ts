/** virsh freepages: free pages per NUMA cell and page size (--all), or of one cell and size. */
import { formatFreepages, freePages, pageSizes } from '../../core/node/node-report.js';
import { command } from '../framework.js';
import { parseCount, parsePageSize } from '../node-options.js';

export default command({
  name: 'freepages',
  summary: 'NUMA free pages',
  args: [
    { name: 'cellno', help: 'NUMA cell number', required: false },
    { name: 'pagesize', help: 'page size (in kibibytes)', required: false },
  ],
  options: { all: { type: 'boolean', help: 'show free pages for all NUMA cells' } },
  async run(ctx, a, o) {
    const cellno = parseCount(a.cellno as string | undefined, 'cellno');
    const pagesizeKiB = parsePageSize(a.pagesize as string | undefined);
    const q = { ...(cellno === undefined ? {} : { cellno }), ...(pagesizeKiB === undefined ? {} : { pagesizeKiB }), all: o.all };
    const r = await ctx.client().hostTopology();
    // formatting checks the arguments (and refuses a size the host lacks) for --json too
    const text = formatFreepages(r, q);
    if (!ctx.json) return ctx.print(text.endsWith('\n') ? text.slice(0, -1) : text);
    const sizes = pagesizeKiB === undefined ? pageSizes(r) : [pagesizeKiB];
    const nodes = r.topology.nodes.filter((n) => o.all || n.id === cellno);
    ctx.printJson({ cells: nodes.map((n) => ({ cell: n.id, pages: sizes.map((s) => ({ sizeKiB: s, free: freePages(r, n, s) })) })) });
  },
});
