/**
 * The two host files dnsmasq reads beside its configuration, as libvirt writes them:
 * - the DHCP hosts file (dhcp-hostsfile=): one static host per line,
 *   IPv4 `MAC,IP,NAME[,LEASE]` (or `NAME,IP`, `MAC,IP`), IPv6 `id:DUID,NAME,[IP]`
 *   (or `id:DUID,[IP]`, `NAME,[IP]`), the lease time last (`30m`, `2h`, `infinite`);
 * - the additional hosts file (addn-hosts=): `IP<TAB>NAME<TAB>...` from <dns><host>,
 *   one line per address (hosts of the same address merged), each name followed by a tab.
 */
import { formatIp, parseIp } from '../xml/network/address.js';
import type { DhcpHost, DnsHost, IpDef, LeaseDef } from '../xml/network/schema.js';
import { ipFamily } from '../xml/network/ipdef.js';

const canon = (ip: string): string => {
  const a = parseIp(ip);
  return a === undefined ? ip : formatIp(a);
};

/** dnsmasq's lease time for a <lease>: `infinite` for expiry 0, else N + s/m/h (minutes when unit= is absent). */
export function dnsmasqLeaseTime(lease: LeaseDef | undefined): string | undefined {
  if (lease === undefined) return undefined;
  if (lease.expiry === 0) return 'infinite';
  const unit = lease.unit === 'seconds' ? 's' : lease.unit === 'hours' ? 'h' : 'm';
  return `${lease.expiry}${unit}`;
}

/** One dhcp-hostsfile line; undefined for a host with nothing dnsmasq can match it by. */
export function dhcpHostLine(h: DhcpHost, ipv6: boolean): string | undefined {
  if (h.ip === undefined) return undefined;
  const ip = canon(h.ip);
  let line: string;
  if (ipv6) {
    if (h.id !== undefined && h.name !== undefined) line = `id:${h.id},${h.name},[${ip}]`;
    else if (h.id !== undefined) line = `id:${h.id},[${ip}]`;
    else if (h.name !== undefined) line = `${h.name},[${ip}]`;
    else return undefined;
  } else if (h.mac !== undefined && h.name !== undefined) line = `${h.mac},${ip},${h.name}`;
  else if (h.name !== undefined) line = `${h.name},${ip}`;
  else if (h.mac !== undefined) line = `${h.mac},${ip}`;
  else return undefined;
  const lease = dnsmasqLeaseTime(h.lease);
  return lease === undefined ? line : `${line},${lease}`;
}

/** The DHCP hosts file of the DHCP-serving <ip> elements (IPv4 first, as libvirt orders them). */
export function dhcpHostsFile(dhcpIps: readonly IpDef[]): string {
  const lines = dhcpIps.flatMap((ip) => (ip.dhcp?.host ?? []).flatMap((h) => dhcpHostLine(h, ipFamily(ip) === 'ipv6') ?? []));
  return lines.map((l) => `${l}\n`).join('');
}

/** The additional hosts file of <dns><host>: hostnames of one address on one line. */
export function addnHostsFile(hosts: readonly DnsHost[]): string {
  const byIp = new Map<string, string[]>();
  for (const h of hosts) {
    const ip = canon(h.ip);
    const names = byIp.get(ip) ?? [];
    for (const n of h.hostname ?? []) if (!names.includes(n)) names.push(n);
    byIp.set(ip, names);
  }
  return [...byIp].map(([ip, names]) => `${ip}\t${names.map((n) => `${n}\t`).join('')}\n`).join('');
}
