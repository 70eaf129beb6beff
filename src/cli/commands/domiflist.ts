/** virsh domiflist: ` Interface   Type   Source   Model   MAC`; the interface is the host tap, '-' without one. */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { table } from '../format.js';
import { interfaceRows } from './device-lists.js';

export default command({
  name: 'domiflist',
  summary: 'list all domain virtual interfaces',
  args: [DOMAIN_ARG],
  options: { inactive: { type: 'boolean', help: 'get inactive rather than running configuration' } },
  async run(ctx, { domain }, o) {
    const xml = await onDomain(domain, undefined, () => ctx.client().domainXml(domain, { inactive: o.inactive }));
    const rows = interfaceRows(xml);
    if (ctx.json) return ctx.printJson(rows);
    ctx.print(table(['Interface', 'Type', 'Source', 'Model', 'MAC'], rows.map((r) => [r.interface, r.type, r.source, r.model, r.mac])));
  },
});
