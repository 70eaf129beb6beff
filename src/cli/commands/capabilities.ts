/**
 * virsh capabilities: libvirt's capabilities XML, from the daemon's probed QEMU and the host's
 * sysfs. --json gives the XML with the host report it was made from (cells, CPUs, page pools)
 * and the host CPU's model, vendor and features as the XML's host <cpu> says them.
 */
import { extractCpus } from '../../core/qemu/cpu-model/compare.js';
import { command } from '../framework.js';

export default command({
  name: 'capabilities',
  summary: 'capabilities',
  args: [],
  options: {},
  async run(ctx) {
    const client = ctx.client();
    const xml = await client.capabilities();
    if (ctx.json) {
      const [hostCpu] = extractCpus(xml);
      const cpu = {
        ...(hostCpu?.model === undefined ? {} : { model: hostCpu.model }),
        ...(hostCpu?.vendor === undefined ? {} : { vendor: hostCpu.vendor }),
        features: (hostCpu?.features ?? []).map((f) => f.name),
      };
      return ctx.printJson({ xml, cpu, host: await client.hostTopology() });
    }
    ctx.io.stdout(xml.endsWith('\n') ? xml : `${xml}\n`);
  },
});
