/**
 * virsh domifaddr: a running domain's interface addresses, from its networks' DHCP leases
 * (--source lease, the default), its guest agent (--source agent: the guest's names, lo too)
 * or the host's ARP table (--source arp), in virsh's layout
 * (" %-10s %-17s    %-12s %s"; an interface's further addresses with '-' for name and MAC).
 */
import type { DomainIfAddrList } from '../../client/types.js';
import { command } from '../framework.js';
import { DOMAIN_ARG, onDomain } from '../domain.js';

/** virsh's lines: the header, 79 dashes, one line per address. */
export function domifaddrLines(list: DomainIfAddrList['interfaces'], full: boolean): string[] {
  const lines = [` ${'Name'.padEnd(10)} ${'MAC address'.padEnd(20)} ${'Protocol'.padEnd(8)}     Address`, '-'.repeat(79)];
  for (const i of list) {
    i.addrs.forEach((a, k) => {
      const first = k === 0 || full;
      lines.push(` ${(first ? i.name : '-').padEnd(10)} ${(first ? i.mac : '-').padEnd(17)}    ${a.type.padEnd(12)} ${a.addr}/${a.prefix}`);
    });
  }
  return lines;
}

export default command({
  name: 'domifaddr',
  summary: 'Get network interfaces\' addresses for a running domain',
  args: [DOMAIN_ARG, { name: 'interface', help: 'network interface name', required: false }],
  options: {
    full: { type: 'boolean', help: 'always display names and MACs of interfaces' },
    source: { type: 'string', arg: 'string', help: 'address source: \'lease\', \'agent\', or \'arp\'' },
  },
  async run(ctx, { domain, interface: iface }, o) {
    const list = await onDomain(domain, 'Failed to query for interfaces addresses', () => ctx.client().domainIfAddr(domain, {
      ...(iface === undefined ? {} : { iface }), ...(o.source === undefined ? {} : { source: o.source }),
    }));
    if (ctx.json) return ctx.printJson(list);
    ctx.print(domifaddrLines(list, o.full).join('\n'));
  },
});
