/**
 * What domifaddr shows from sources other than DHCP leases: the guest agent's
 * guest-network-get-interfaces answer (the guest's own names: lo, eth0), and the host's
 * neighbour table (/proc/net/arp) for the domain's MACs, as libvirt's
 * VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT and _SRC_ARP give them.
 */
import type { ArpEntry } from '../../network/arp.js';

export interface IfAddr {
  readonly name: string;
  readonly mac: string;
  readonly addrs: { readonly type: 'ipv4' | 'ipv6'; readonly addr: string; readonly prefix: number }[];
}

const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** domifaddr's interface filter: no filter, the interface's name, or its MAC (any case). */
export function matchesIface(filter: string | undefined, name: string, mac: string): boolean {
  return filter === undefined || filter === name || filter.toLowerCase() === mac.toLowerCase();
}

/**
 * guest-network-get-interfaces' answer as domifaddr rows: every interface the guest has, in its
 * order (virsh lists lo too). An interface without a hardware address shows '-'; `filter` keeps
 * the one whose name or MAC it is.
 */
export function agentIfAddrs(answer: unknown, filter?: string): IfAddr[] {
  if (!Array.isArray(answer)) throw new TypeError('guest-network-get-interfaces did not answer with a list');
  const out: IfAddr[] = [];
  for (const raw of answer) {
    const i = obj(raw);
    if (i === undefined || typeof i['name'] !== 'string') continue;
    const mac = typeof i['hardware-address'] === 'string' ? i['hardware-address'] : '-';
    if (!matchesIface(filter, i['name'], mac)) continue;
    const addrs: IfAddr['addrs'] = [];
    for (const a of Array.isArray(i['ip-addresses']) ? i['ip-addresses'] : []) {
      const o = obj(a);
      const type = o?.['ip-address-type'];
      if (o === undefined || (type !== 'ipv4' && type !== 'ipv6') || typeof o['ip-address'] !== 'string') continue;
      addrs.push({ type, addr: o['ip-address'], prefix: typeof o['prefix'] === 'number' ? o['prefix'] : 0 });
    }
    out.push({ name: i['name'], mac, addrs });
  }
  return out;
}

/**
 * domifaddr --source arp: each interface (host name, MAC) with the IPv4 addresses the host's
 * neighbour table has for its MAC (prefix 0: ARP does not know it, as libvirt shows it).
 * Interfaces the table knows nothing of are left out, as libvirt does.
 */
export function arpIfAddrs(ifaces: readonly { name: string; mac: string }[], table: readonly ArpEntry[]): IfAddr[] {
  const out: IfAddr[] = [];
  for (const i of ifaces) {
    const ips = [...new Set(table.filter((e) => e.mac === i.mac.toLowerCase()).map((e) => e.ip))];
    if (ips.length > 0) out.push({ name: i.name, mac: i.mac, addrs: ips.map((addr) => ({ type: 'ipv4' as const, addr, prefix: 0 })) });
  }
  return out;
}
