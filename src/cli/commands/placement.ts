/**
 * virtkit placement (a virtkit extension, docs/placement.md): which domain holds which host CPUs,
 * and per NUMA node the CPUs, normal memory and huge pages held by domains placed automatically.
 */
import type { PlacementReport } from '../../client/types.js';
import { formatCpuset, formatKiB } from '../../core/placement/index.js';
import { command } from '../framework.js';
import { table } from '../format.js';

type Pages = readonly { readonly sizeKiB: number; readonly pages: number; readonly node?: number }[];
const pagesText = (p: Pages): string => p.length === 0 ? '-' : p.map((x) => `${x.pages} x ${formatKiB(x.sizeKiB)}${x.node === undefined ? '' : ` on node ${x.node}`}`).join(', ');

export function formatPlacement(r: PlacementReport): string {
  const domains = table(['Domain', 'CPUs', 'Memory', 'Huge pages'], r.holdings.map((h) => [
    h.domain,
    formatCpuset(h.cpus),
    h.memory.length === 0 ? '-' : h.memory.map((m) => `${formatKiB(m.kiB)} on node ${m.node}`).join(', '),
    pagesText(h.hugepages),
  ]));
  const nodes = table(['Node', 'CPUs', 'Held CPUs', 'Held memory', 'Held huge pages'], r.nodes.map((n) => [
    String(n.node), n.cpus.length === 0 ? '-' : formatCpuset(n.cpus), n.heldCpus.length === 0 ? '-' : formatCpuset(n.heldCpus),
    n.memoryKiB === 0 ? '-' : formatKiB(n.memoryKiB), pagesText(n.hugepages),
  ]));
  return `${domains}\n\n${nodes}`;
}

export default command({
  name: 'placement',
  summary: 'host CPUs and memory held by domains placed automatically',
  args: [],
  options: {},
  async run(ctx) {
    const r = await ctx.client().placement();
    if (ctx.json) return ctx.printJson(r);
    ctx.print(formatPlacement(r));
  },
});
