import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';

export default command({
  name: 'detach-disk',
  summary: 'detach disk device',
  args: [DOMAIN_ARG, { name: 'target', help: 'target of disk device', required: true }],
  options: DISK_IMPACT_OPTIONS,
  async run(ctx, { domain, target }, o) {
    const d = await onDomain(domain, 'Failed to detach disk', () => ctx.client().detachDisk(domain, target, diskImpactOf(o)));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Disk detached successfully');
  },
});
