import { command, onFailure } from '../framework.js';
import { DEVICE_ARG } from '../nodedevs.js';

export default command({
  name: 'nodedev-reset',
  summary: 'reset node device',
  args: [DEVICE_ARG],
  options: {},
  async run(ctx, { device }) {
    const r = await onFailure(`Failed to reset device ${device}`, () => ctx.client().nodedevAction(device, 'reset'));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Device ${device} was reset`);
  },
});
