/** virsh domif-setlink: a NIC's link up or down as the guest sees it (live), or in the definition with --config. */
import { command, usageError } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

export default command({
  name: 'domif-setlink',
  summary: 'set link state of a virtual interface',
  args: [
    DOMAIN_ARG,
    { name: 'interface', help: 'interface device (MAC Address)', required: true },
    { name: 'state', help: 'new state of the device', required: true },
  ],
  options: { config: { type: 'boolean', help: 'affect next boot' } },
  async run(ctx, { domain, interface: iface, state }, o) {
    if (state !== 'up' && state !== 'down') throw usageError(`invalid link state '${state}'`);
    const d = await onDomain(domain, 'Failed to update interface link state', () => ctx.client().setInterfaceLink(domain, iface, state, { config: o.config }));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Device updated successfully');
  },
});
