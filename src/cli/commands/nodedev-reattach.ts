import { command, onFailure } from '../framework.js';
import { DEVICE_ARG } from '../nodedevs.js';

export default command({
  name: 'nodedev-reattach',
  summary: 'reattach node device to its device driver',
  args: [DEVICE_ARG],
  options: {},
  async run(ctx, { device }) {
    const r = await onFailure(`Failed to reattach device ${device}`, () => ctx.client().nodedevAction(device, 'reattach'));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Device ${device} re-attached`);
  },
});
