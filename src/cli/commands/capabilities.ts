/**
 * virsh capabilities: libvirt's capabilities XML, from the daemon's probed QEMU and the host's
 * sysfs. --json gives the XML with the host report it was made from (cells, CPUs, page pools).
 */
import { command } from '../framework.js';

export default command({
  name: 'capabilities',
  summary: 'capabilities',
  args: [],
  options: {},
  async run(ctx) {
    const client = ctx.client();
    const xml = await client.capabilities();
    if (ctx.json) return ctx.printJson({ xml, host: await client.hostTopology() });
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
