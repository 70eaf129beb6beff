import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';
import { readXmlFile } from './define.js';

export default command({
  name: 'detach-device',
  summary: 'detach device from an XML file',
  args: [DOMAIN_ARG, { name: 'file', help: 'XML file', required: true }],
  options: DISK_IMPACT_OPTIONS,
  async run(ctx, { domain, file }, o) {
    const impact = diskImpactOf(o);
    const xml = await readXmlFile(ctx.io.cwd, file);
    const d = await onDomain(domain, `Failed to detach device from ${file}`, () => ctx.client().detachDevice(domain, xml, impact));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Device detached successfully');
  },
});
