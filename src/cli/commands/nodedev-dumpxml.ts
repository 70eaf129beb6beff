import { command, onFailure } from '../framework.js';
import { DEVICE_ARG } from '../nodedevs.js';

export default command({
  name: 'nodedev-dumpxml',
  summary: 'node device details in XML',
  args: [DEVICE_ARG],
  options: {},
  async run(ctx, { device }) {
    const xml = await onFailure(`Could not find matching device '${device}'`, () => ctx.client().nodedevXml(device));
    if (ctx.json) return ctx.printJson({ xml });
    ctx.print(xml.trimEnd());
  },
});
