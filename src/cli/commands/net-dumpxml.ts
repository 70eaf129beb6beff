import { command } from '../framework.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-dumpxml',
  summary: 'network information in XML',
  args: [NETWORK_ARG],
  options: { inactive: { type: 'boolean', help: 'show inactive defined XML' } },
  async run(ctx, { network }, o) {
    const xml = await onNetwork(network, undefined, () => ctx.client().networkXml(network, { inactive: o.inactive }));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
