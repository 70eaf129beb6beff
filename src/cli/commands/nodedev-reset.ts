import { command } from '../framework.js';
import { DEVICE_ARG, onDevice } from '../nodedevs.js';

export default command({
  name: 'nodedev-reset',
  summary: 'reset node device',
  args: [DEVICE_ARG],
  options: {},
  async run(ctx, { device }) {
    const r = await onDevice(`Failed to reset device ${device}`, () => ctx.client().nodedevAction(device, 'reset'));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Device ${device} was reset`);
  },
});
