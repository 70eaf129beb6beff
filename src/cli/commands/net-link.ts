import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-link',
  summary: 'join a network to another network with a veth pair (kept in its definition)',
  args: [NETWORK_ARG, { name: 'peer', help: 'the other network (name or uuid)', required: true }],
  options: { dev: { type: 'string', help: "name of the link's end on the network's bridge (default vkl + 8 hex digits; the other end gets a 'p')" } },
  async run(ctx, { network, peer }, o) {
    const n = await onNetwork(network, `failed to link network ${network} to network ${peer}`, () => ctx.client().linkNetwork(network, peer, o.dev));
    if (ctx.json) return ctx.printJson(n);
    ctx.print(`Network ${network} linked to network ${peer}`);
  },
});
