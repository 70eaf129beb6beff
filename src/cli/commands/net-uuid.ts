import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-uuid',
  summary: 'convert a network name to network UUID',
  args: [{ ...NETWORK_ARG, help: 'network name' }],
  options: {},
  async run(ctx, { network }) {
    const n = await onNetwork(network, undefined, () => ctx.client().getNetwork(network));
    if (ctx.json) return ctx.printJson({ uuid: n.uuid });
    ctx.print(n.uuid);
  },
});
