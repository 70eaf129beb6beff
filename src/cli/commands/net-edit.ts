/**
 * virsh net-edit: the network's inactive XML in a temporary file, $VISUAL / $EDITOR on it,
 * then the result defined (same name and UUID: the definition is replaced; a running network
 * keeps running as it was started). A refused definition changes nothing.
 */
import { asVirtkitError } from '../../core/errors.js';
import { command } from '../framework.js';
import { editUntilAccepted } from '../editor.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-edit',
  summary: 'edit XML configuration for a network',
  args: [NETWORK_ARG],
  options: {},
  async run(ctx, { network }) {
    const client = ctx.client();
    const info = await onNetwork(network, undefined, () => client.getNetwork(network));
    const original = await onNetwork(network, undefined, () => client.networkXml(network, { inactive: true }));
    const r = await editUntilAccepted(ctx, `${info.name}.xml`, original, async (edited) => {
      try {
        return { done: await client.defineNetwork(edited) };
      } catch (e) {
        const err = asVirtkitError(e);
        if (err.code === 'DAEMON_UNREACHABLE') throw err;
        return { refused: [`the edited XML of network '${info.name}' was refused`, err.message], cause: err };
      }
    });
    if (r === undefined) {
      if (ctx.json) return ctx.printJson({ changed: false, network: info });
      return ctx.print(`Network ${info.name} XML configuration not changed.`);
    }
    if (ctx.json) return ctx.printJson({ changed: true, network: r.network });
    ctx.print(`Network ${r.network.name} XML configuration edited.`);
  },
});
