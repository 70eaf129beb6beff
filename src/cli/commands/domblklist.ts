/** virsh domblklist: ` Target   Source` (with --details ` Type   Device   Target   Source`). */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { table } from '../format.js';
import { diskRows } from './device-lists.js';

export default command({
  name: 'domblklist',
  summary: 'list all domain blocks',
  args: [DOMAIN_ARG],
  options: {
    inactive: { type: 'boolean', help: 'get inactive rather than running configuration' },
    details: { type: 'boolean', help: 'additionally display the type and device value' },
  },
  async run(ctx, { domain }, o) {
    const xml = await onDomain(domain, undefined, () => ctx.client().domainXml(domain, { inactive: o.inactive }));
    const rows = diskRows(xml);
    if (ctx.json) return ctx.printJson(rows);
    ctx.print(o.details
      ? table(['Type', 'Device', 'Target', 'Source'], rows.map((r) => [r.type, r.device, r.target, r.source]))
      : table(['Target', 'Source'], rows.map((r) => [r.target, r.source])));
  },
});
