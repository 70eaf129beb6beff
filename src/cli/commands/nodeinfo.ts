import { command } from '../framework.js';
import { fields } from '../format.js';

export default command({
  name: 'nodeinfo',
  summary: 'node information',
  args: [],
  options: {},
  async run(ctx) {
    const n = (await ctx.client().host()).node;
    if (ctx.json) return ctx.printJson(n);
    ctx.print(fields(20, [
      ['CPU model:', n.model],
      ['CPU(s):', String(n.cpus)],
      ['CPU frequency:', `${n.mhz} MHz`],
      ['CPU socket(s):', String(n.sockets)],
      ['Core(s) per socket:', String(n.cores)],
      ['Thread(s) per core:', String(n.threads)],
      ['NUMA cell(s):', String(n.nodes)],
      ['Memory size:', `${n.memoryKiB} KiB`],
    ]));
  },
});
