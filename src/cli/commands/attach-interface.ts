/** virsh attach-interface: builds an <interface> (src/cli/interfaces.ts) and attaches it as attach-device does. */
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';
import { DISK_IMPACT_OPTIONS, diskImpactOf } from '../disks.js';
import { attachInterfaceXml } from '../interfaces.js';

const str = (help: string) => ({ type: 'string', help, arg: 'string' }) as const;

export default command({
  name: 'attach-interface',
  summary: 'attach network interface',
  args: [
    DOMAIN_ARG,
    { name: 'type', help: 'network interface type (bridge, ethernet, network, user)', required: true },
    { name: 'source', help: 'source of network interface (the bridge or network)', required: false },
  ],
  options: {
    target: str('target network name (the host tap)'),
    mac: str('MAC address'),
    model: str('model type'),
    'print-xml': { type: 'boolean', help: 'print XML document rather than attach the interface' },
    ...DISK_IMPACT_OPTIONS,
  },
  async run(ctx, { domain, type, source }, o) {
    const impact = diskImpactOf(o);
    const xml = attachInterfaceXml({ type, source, target: o.target, mac: o.mac, model: o.model });
    if (o['print-xml']) return ctx.print(xml.trimEnd());
    const d = await onDomain(domain, 'Failed to attach interface', () => ctx.client().attachDevice(domain, xml, impact));
    if (ctx.json) return ctx.printJson(d);
    ctx.print('Interface attached successfully');
  },
});
