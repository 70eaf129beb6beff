import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-autostart',
  summary: 'autostart a network',
  args: [NETWORK_ARG],
  options: { disable: { type: 'boolean', help: 'disable autostarting' } },
  async run(ctx, { network }, o) {
    const n = await onNetwork(network, `failed to ${o.disable ? 'unmark' : 'mark'} network ${network} as autostarted`,
      () => ctx.client().setNetworkAutostart(network, !o.disable));
    if (ctx.json) return ctx.printJson(n);
    ctx.print(`Network ${network} ${o.disable ? 'unmarked' : 'marked'} as autostarted`);
  },
});
