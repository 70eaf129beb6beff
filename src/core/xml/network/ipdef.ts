/**
 * What an <ip> element means once its attributes are read together: its
 * family (ipv4 unless it says ipv6), its address, its prefix (from prefix=,
 * netmask=, or libvirt's classful default) and its subnet. Shared by
 * validation, the dnsmasq configuration and net-update.
 */
import type { Family, IpAddr, Subnet } from './address.js';
import { classfulPrefix, netmaskPrefix, parseIp, subnetOf } from './address.js';
import type { IpDef } from './schema.js';

export interface ResolvedIp {
  readonly family: Family;
  readonly addr: IpAddr;
  readonly prefix: number;
  readonly subnet: Subnet;
}

/** The family an <ip> claims: family=, else that of its address, else ipv4. */
export function ipFamily(ip: IpDef): Family {
  if (ip.family !== undefined) return ip.family;
  return ip.address !== undefined && ip.address.includes(':') ? 'ipv6' : 'ipv4';
}

/** undefined when the address is absent or unusable (validate.ts says why). */
export function resolveIp(ip: IpDef): ResolvedIp | undefined {
  if (ip.address === undefined) return undefined;
  const addr = parseIp(ip.address);
  if (addr === undefined) return undefined;
  let prefix: number | undefined = ip.prefix;
  if (prefix === undefined && ip.netmask !== undefined) prefix = netmaskPrefix(ip.netmask);
  if (prefix === undefined && ip.netmask === undefined) prefix = classfulPrefix(addr);
  if (prefix === undefined || prefix > (addr.family === 'ipv4' ? 32 : 128)) return undefined;
  return { family: addr.family, addr, prefix, subnet: subnetOf(addr, prefix) };
}

/** The <ip> elements that serve DHCP (have a <dhcp> with a range or a host). */
export function hasDhcp(ip: IpDef): boolean {
  return (ip.dhcp?.range ?? []).length > 0 || (ip.dhcp?.host ?? []).length > 0;
}
