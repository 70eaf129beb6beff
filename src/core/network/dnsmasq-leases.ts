/**
 * dnsmasq's lease file (dhcp-leasefile=), for net-dhcp-leases and domifaddr.
 * dnsmasq has no structured output, so its text is parsed here; tests check it
 * against a file a real dnsmasq wrote (tests/integration/dnsmasq-lease.test.ts).
 *
 * One lease per line: `EXPIRY MAC IP HOSTNAME CLIENT-ID` (IPv4), and after a
 * `duid SERVER-DUID` line, `EXPIRY IAID IP HOSTNAME CLIENT-DUID` (IPv6). EXPIRY is
 * seconds since the epoch, 0 for an infinite lease; '*' stands for no hostname or
 * client id. dnsmasq's IPv6 lines have no MAC: it is taken from the client's DUID where the
 * DUID holds one (DUID-LLT and DUID-LL of an Ethernet NIC, RFC 8415 11.2 and 11.4), as
 * dnsmasq itself does to match `dhcp-host` MACs for DHCPv6 and libvirt then shows.
 */
import { parseIp } from '../xml/network/address.js';

export interface DnsmasqLease {
  family: 'ipv4' | 'ipv6';
  ip: string;
  /** Seconds since the epoch; null for an infinite lease. */
  expiresAt: number | null;
  /** IPv4: the client's MAC; IPv6: the MAC in the client's DUID, when it has one. */
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

/**
 * The Ethernet MAC in a DUID (colon-separated hex bytes): type 1 (LLT: type, hardware type 1,
 * 4 bytes of time, the MAC) or type 3 (LL: type, hardware type 1, the MAC); else undefined.
 */
export function macOfDuid(duid: string): string | undefined {
  const b = duid.toLowerCase().split(':');
  if (!b.every((x) => /^[0-9a-f]{2}$/.test(x)) || b[2] !== '00' || b[3] !== '01') return undefined;
  const head = b.slice(0, 2).join('');
  const mac = head === '0001' ? b.slice(8) : head === '0003' ? b.slice(4) : [];
  return mac.length === 6 ? mac.join(':') : undefined;
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
    const duidMac = ipv6 && client !== undefined ? macOfDuid(client) : undefined;
    if (duidMac !== undefined) lease.mac = duidMac;
    leases.push(lease);
  }
  return { leases, skipped };
}
