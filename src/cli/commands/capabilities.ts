/** virsh capabilities: libvirt's capabilities XML, from the daemon's probed QEMU and host. */
import { command } from '../framework.js';

export default command({
  name: 'capabilities',
  summary: 'capabilities',
  args: [],
  options: {},
  async run(ctx) {
    const xml = await ctx.client().capabilities();
    if (ctx.json) return ctx.printJson({ xml });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
