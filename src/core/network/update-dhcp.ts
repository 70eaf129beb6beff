/** net-update ip-dhcp-host and ip-dhcp-range (libvirt's virNetworkDefUpdateIPDHCPHost/Range). */
import { parseIp } from '../xml/network/address.js';
import { hasDhcp, ipFamily } from '../xml/network/ipdef.js';
import { parseNetworkElement } from '../xml/network/parse.js';
import type { DhcpHost, DhcpRange, IpDef } from '../xml/network/schema.js';
import { dhcpHostSpec, rangeSpec } from '../xml/network/schema.js';
import type { DnsmasqAction, SectionUpdate } from './update-common.js';
import { insert, updateError } from './update-common.js';

/** The <ip> an entry goes to: the one at parentIndex, else the one serving DHCP, else the first IPv4, else the first IPv6. */
function targetIp(s: SectionUpdate, section: string): IpDef {
  const ips = s.def.ip ?? [];
  if (s.parentIndex >= 0) {
    const ip = ips[s.parentIndex];
    if (!ip) throw updateError('OPERATION_INVALID', s.def, section, `there is no <ip> element at index ${s.parentIndex}`);
    return ip;
  }
  const ip = ips.find(hasDhcp) ?? ips.find((x) => ipFamily(x) === 'ipv4') ?? ips.find((x) => ipFamily(x) === 'ipv6');
  if (!ip) throw updateError('OPERATION_INVALID', s.def, section, 'the network has no <ip> element');
  return ip;
}

const sameIp = (a: string | undefined, b: string | undefined): boolean => {
  if (a === undefined || b === undefined) return false;
  const x = parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
};

const describeHost = (h: DhcpHost): string => `<host${h.mac ? ` mac='${h.mac}'` : ''}${h.id ? ` id='${h.id}'` : ''}${h.name ? ` name='${h.name}'` : ''}${h.ip ? ` ip='${h.ip}'` : ''}/>`;

export function updateDhcpHost(s: SectionUpdate): DnsmasqAction {
  const section = 'ip-dhcp-host';
  const ip = targetIp(s, section);
  const host = parseNetworkElement<DhcpHost>(dhcpHostSpec, s.xml, 'host');
  const dhcp = (ip.dhcp ??= {});
  const hosts = dhcp.host ?? [];
  if (s.command === 'modify') {
    const i = hosts.findIndex((h) => (host.mac !== undefined && h.mac === host.mac) || sameIp(host.ip, h.ip) || (host.name !== undefined && h.name === host.name) || (host.id !== undefined && h.id === host.id));
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no DHCP host matches ${describeHost(host)}; add it instead`);
    dhcp.host = hosts.map((h, j) => (j === i ? host : h));
  } else if (s.command === 'add') {
    const clash = hosts.find((h) => (host.mac !== undefined && h.mac === host.mac) || (host.name !== undefined && h.name === host.name) || (host.id !== undefined && h.id === host.id) || sameIp(host.ip, h.ip));
    if (clash) throw updateError('OPERATION_INVALID', s.def, section, `an existing DHCP host ${describeHost(clash)} matches ${describeHost(host)}; use modify or delete it first`);
    dhcp.host = insert(dhcp.host, host, s.first);
  } else {
    // Every attribute given must match (libvirt's rule): <host mac='...'/> alone deletes by MAC.
    const i = hosts.findIndex((h) => (host.mac === undefined || h.mac === host.mac) && (host.id === undefined || h.id === host.id) && (host.name === undefined || h.name === host.name) && (host.ip === undefined || sameIp(host.ip, h.ip)));
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no DHCP host matches ${describeHost(host)}`);
    dhcp.host = hosts.filter((_, j) => j !== i);
    if (dhcp.host.length === 0) delete dhcp.host;
  }
  return 'reload';
}

export function updateDhcpRange(s: SectionUpdate): DnsmasqAction {
  const section = 'ip-dhcp-range';
  if (s.command === 'modify') throw updateError('UNSUPPORTED_OPERATION', s.def, section, 'a DHCP range cannot be modified, only added or deleted');
  const ip = targetIp(s, section);
  const range = parseNetworkElement<DhcpRange>(rangeSpec, s.xml, 'range');
  const fam = ipFamily(ip);
  if (parseIp(range.start)?.family !== (fam === 'ipv4' ? 'ipv4' : 'ipv6')) {
    throw updateError('OPERATION_INVALID', s.def, section, `the range ${range.start}-${range.end} is not of the family of its <ip> (${fam})`);
  }
  const dhcp = (ip.dhcp ??= {});
  const ranges = dhcp.range ?? [];
  const i = ranges.findIndex((r) => sameIp(r.start, range.start) && sameIp(r.end, range.end));
  const show = (r: DhcpRange): string => `<range start='${r.start}' end='${r.end}'/>`;
  if (s.command === 'add') {
    if (i >= 0) throw updateError('OPERATION_INVALID', s.def, section, `an existing DHCP range matches ${show(range)}`);
    dhcp.range = insert(dhcp.range, range, s.first);
  } else {
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no DHCP range matches ${show(range)}`);
    dhcp.range = ranges.filter((_, j) => j !== i);
    if (dhcp.range.length === 0) delete dhcp.range;
  }
  return 'restart';
}
