/**
 * dnsmasq's lease file (dhcp-leasefile=), for net-dhcp-leases and domifaddr.
 * dnsmasq has no structured output, so its text is parsed here; tests check it
 * against a file a real dnsmasq wrote (tests/integration/dnsmasq-lease.test.ts).
 *
 * One lease per line: `EXPIRY MAC IP HOSTNAME CLIENT-ID` (IPv4), and after a
 * `duid SERVER-DUID` line, `EXPIRY IAID IP HOSTNAME CLIENT-DUID` (IPv6). EXPIRY is
 * seconds since the epoch, 0 for an infinite lease; '*' stands for no hostname or
 * client id.
 */
import { parseIp } from '../xml/network/address.js';

export interface DnsmasqLease {
  family: 'ipv4' | 'ipv6';
  ip: string;
  /** Seconds since the epoch; null for an infinite lease. */
  expiresAt: number | null;
  /** IPv4: the client's MAC. */
  mac?: string;
  /** IPv6: the identity association id. */
  iaid?: string;
  hostname?: string;
  /** IPv4: the client id (option 61); IPv6: the client's DUID. */
  clientId?: string;
}

export interface DnsmasqLeaseFile {
  leases: DnsmasqLease[];
  /** Lines that are not leases (a truncated write): reported, not fatal. */
  skipped: string[];
}

export function parseDnsmasqLeases(text: string): DnsmasqLeaseFile {
  const leases: DnsmasqLease[] = [];
  const skipped: string[] = [];
  let ipv6 = false;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === '') continue;
    if (f[0] === 'duid') {
      ipv6 = true;
      continue;
    }
    const [exp, id, ip, host, client] = f;
    const addr = ip === undefined ? undefined : parseIp(ip);
    if (exp === undefined || !/^[0-9]+$/.test(exp) || id === undefined || ip === undefined || addr === undefined || addr.family !== (ipv6 ? 'ipv6' : 'ipv4')) {
      skipped.push(line);
      continue;
    }
    const expiry = Number(exp);
    const lease: DnsmasqLease = { family: addr.family, ip, expiresAt: expiry === 0 ? null : expiry };
    if (ipv6) lease.iaid = id;
    else lease.mac = id.toLowerCase();
    if (host !== undefined && host !== '*') lease.hostname = host;
    if (client !== undefined && client !== '*') lease.clientId = client;
    leases.push(lease);
  }
  return { leases, skipped };
}
