import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-unlink',
  summary: 'remove a veth link of a network (from the host and its definition)',
  args: [NETWORK_ARG, { name: 'dev', help: "the link's end on the network's bridge (its <virtkit:link dev>)", required: true }],
  options: {},
  async run(ctx, { network, dev }) {
    const n = await onNetwork(network, `failed to remove link ${dev} of network ${network}`, () => ctx.client().unlinkNetwork(network, dev));
    if (ctx.json) return ctx.printJson(n);
    ctx.print(`Link ${dev} of network ${network} removed`);
  },
});
