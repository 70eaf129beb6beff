import { nodedevTree } from '../../core/nodedev/list.js';
import { CliError, command } from '../framework.js';
import { parseCaps } from '../nodedevs.js';

export default command({
  name: 'nodedev-list',
  summary: 'enumerate devices on this host',
  args: [],
  options: {
    tree: { type: 'boolean', help: 'list devices in a tree' },
    cap: { type: 'string', arg: 'string', help: 'capability names, separated by comma' },
    inactive: { type: 'boolean', help: 'list inactive devices' },
    all: { type: 'boolean', help: 'list inactive & active devices' },
  },
  async run(ctx, _args, o) {
    if (o.tree && o.cap !== undefined) throw new CliError(['Options --tree and --cap are incompatible']);
    const caps = parseCaps(o.cap);
    // Every device virtkit sees is active (there are no defined-only mediated devices).
    const devices = o.inactive || (caps !== undefined && caps.length === 0) ? [] : await ctx.client().listNodedevs(caps);
    if (ctx.json) return ctx.printJson(devices);
    if (o.tree) {
      ctx.print(nodedevTree(devices).replace(/\n$/, ''));
      return;
    }
    for (const d of devices) ctx.print(d.name);
  },
});
