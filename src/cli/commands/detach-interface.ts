/** virsh detach-interface: the interface of a type, named by --mac when the domain has several. */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';
import { detachInterfaceXml } from '../interfaces.js';

export default command({
  name: 'detach-interface',
  summary: 'detach network interface',
  args: [DOMAIN_ARG, { name: 'type', help: 'network interface type', required: true }],
  options: {
    mac: { type: 'string', help: 'MAC address', arg: 'string' },
    ...DISK_IMPACT_OPTIONS,
  },
  async run(ctx, { domain, type }, o) {
    const impact = diskImpactOf(o);
    const xml = detachInterfaceXml(type, o.mac);
    const d = await onDomain(domain, 'Failed to detach interface', () => ctx.client().detachDevice(domain, xml, impact));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Interface detached successfully');
  },
});
