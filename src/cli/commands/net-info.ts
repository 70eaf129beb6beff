import { command } from '../framework.js';
import { fields } from '../format.js';
import { NETWORK_ARG, onNetwork } from '../networks.js';

export default command({
  name: 'net-info',
  summary: 'network information',
  args: [NETWORK_ARG],
  options: {},
  async run(ctx, { network }) {
    const n = await onNetwork(network, undefined, () => ctx.client().getNetwork(network));
    if (ctx.json) return ctx.printJson(n);
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    ctx.print(fields(15, [
      ['Name:', n.name], ['UUID:', n.uuid], ['Active:', yesNo(n.active)], ['Persistent:', yesNo(n.persistent)],
      ['Autostart:', yesNo(n.autostart)], ['Bridge:', n.bridge ?? ''],
    ]));
  },
});
