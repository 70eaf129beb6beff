import { CliError, command, onFailure } from '../framework.js';
import { DEVICE_ARG } from '../nodedevs.js';

export default command({
  name: 'nodedev-detach',
  summary: 'detach node device from its device driver',
  args: [DEVICE_ARG],
  options: {
    driver: { type: 'string', arg: 'string', help: 'pci device assignment backend driver (only vfio)' },
  },
  async run(ctx, { device }, o) {
    if (o.driver !== undefined && o.driver !== 'vfio') throw new CliError([`Failed to detach device ${device}`, `unsupported driver '${o.driver}': only vfio (vfio-pci) is supported`]);
    const r = await onFailure(`Failed to detach device ${device}`, () => ctx.client().nodedevAction(device, 'detach'));
    if (ctx.json) return ctx.printJson(r);
    ctx.print(`Device ${device} detached`);
  },
});
