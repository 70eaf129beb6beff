/** virsh domif-getlink: `IFACE up|down` from the (live, or with --config the persistent) XML's <link state>; up when absent. */
import { CliError, command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { findInterface } from '../interfaces.js';

export default command({
  name: 'domif-getlink',
  summary: 'get link state of a virtual interface',
  args: [DOMAIN_ARG, { name: 'interface', help: 'interface device (MAC Address)', required: true }],
  options: { config: { type: 'boolean', help: 'Get persistent interface state' } },
  async run(ctx, { domain, interface: ref }, o) {
    const xml = await onDomain(domain, undefined, () => ctx.client().domainXml(domain, { inactive: o.config }));
    const n = findInterface(xml, ref);
    if (n === undefined) throw new CliError([`Interface (dev: ${ref}) not found.`]);
    const state = n.link?.state ?? 'up';
    if (ctx.json) return ctx.printJson({ interface: ref, state });
    ctx.print(`${ref} ${state}`);
  },
});
