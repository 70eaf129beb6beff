import { command } from '../framework.js';
import { onNetwork } from '../networks.js';

export default command({
  name: 'net-name',
  summary: 'convert a network UUID to network name',
  args: [{ name: 'network', help: 'network uuid', required: true }],
  options: {},
  async run(ctx, { network }) {
    const n = await onNetwork(network, undefined, () => ctx.client().getNetwork(network));
    if (ctx.json) return ctx.printJson({ name: n.name });
    ctx.print(n.name);
  },
});
