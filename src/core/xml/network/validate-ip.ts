/**
 * Rules for <ip> elements: address, netmask or prefix, family; DHCP ranges and
 * static hosts inside the subnet; at most one DHCP-serving <ip> per family;
 * TFTP and BOOTP on IPv4 only. Every problem names its element path.
 */
import type { VirtkitError } from '../../errors.js';
import type { IpAddr } from './address.js';
import { familyBits, formatSubnet, inSubnet, lastAddress, netmaskPrefix, parseIp } from './address.js';
import { hasDhcp, ipFamily, resolveIp } from './ipdef.js';
import type { ResolvedIp } from './ipdef.js';
import { problem, step } from './problems.js';
import type { IpDef } from './schema.js';

function checkRange(r: { start: string; end: string }, ip: ResolvedIp, path: string, out: VirtkitError[]): void {
  const s = parseIp(r.start);
  const e = parseIp(r.end);
  if (!s || !e) return;
  const net = formatSubnet(ip.subnet);
  let ok = true;
  for (const [a, which] of [[s, 'start'], [e, 'end']] as Array<[IpAddr, string]>) {
    if (a.family !== ip.family) {
      out.push(problem('XML_CONFLICT', `${path}/@${which}`, `'${which === 'start' ? r.start : r.end}' is not an ${ip.family} address like its <ip>`));
      ok = false;
    } else if (!inSubnet(a, ip.subnet)) {
      out.push(problem('XML_INVALID_VALUE', `${path}/@${which}`, `'${which === 'start' ? r.start : r.end}' is outside the network's subnet ${net}`));
      ok = false;
    }
  }
  if (!ok) return;
  if (s.value > e.value) {
    out.push(problem('XML_INVALID_VALUE', path, `the range starts (${r.start}) after it ends (${r.end})`));
    return;
  }
  if (ip.family === 'ipv4' && ip.prefix < 31) {
    const bcast = lastAddress(ip.subnet);
    if (s.value <= ip.subnet.network) out.push(problem('XML_INVALID_VALUE', `${path}/@start`, `the range holds the network address of ${net}`));
    if (e.value >= bcast) out.push(problem('XML_INVALID_VALUE', `${path}/@end`, `the range holds the broadcast address of ${net}`));
  }
}

function checkHosts(ipDef: IpDef, ip: ResolvedIp, path: string, out: VirtkitError[]): void {
  const hosts = ipDef.dhcp?.host ?? [];
  const macs = new Map<string, number>();
  hosts.forEach((h, i) => {
    const hp = `${path}/dhcp/${step('host', i, hosts.length)}`;
    if (ip.family === 'ipv6' && h.mac !== undefined) out.push(problem('XML_CONFLICT', `${hp}/@mac`, 'an IPv6 static host is named by id= (its DUID) or name=, not by MAC'));
    if (ip.family === 'ipv4' && h.mac === undefined && h.name === undefined) out.push(problem('XML_MISSING', hp, "an IPv4 static host needs mac= or name="));
    if (ip.family === 'ipv6' && h.id === undefined && h.name === undefined) out.push(problem('XML_MISSING', hp, "an IPv6 static host needs id= or name="));
    if (h.ip === undefined) out.push(problem('XML_MISSING', hp, "a static host needs ip='...'"));
    else {
      const a = parseIp(h.ip);
      if (a && !inSubnet(a, ip.subnet)) out.push(problem('XML_INVALID_VALUE', `${hp}/@ip`, `'${h.ip}' is outside the network's subnet ${formatSubnet(ip.subnet)}`));
    }
    if (h.mac !== undefined) {
      const first = macs.get(h.mac);
      if (first !== undefined) out.push(problem('XML_DUPLICATE', `${hp}/@mac`, `MAC ${h.mac} has a static host already (host ${first + 1})`));
      else macs.set(h.mac, i);
    }
  });
}

function checkOne(ipDef: IpDef, path: string, out: VirtkitError[]): ResolvedIp | undefined {
  if (ipDef.address === undefined) {
    out.push(problem('XML_MISSING', path, "an <ip> needs address='...'"));
    return undefined;
  }
  const addr = parseIp(ipDef.address);
  if (!addr) return undefined;
  const fam = ipFamily(ipDef);
  if (addr.family !== fam) out.push(problem('XML_CONFLICT', `${path}/@address`, `'${ipDef.address}' is not an ${fam} address`));
  if (ipDef.netmask !== undefined && ipDef.prefix !== undefined) out.push(problem('XML_CONFLICT', path, 'give netmask= or prefix=, not both'));
  if (ipDef.netmask !== undefined && addr.family === 'ipv6') out.push(problem('XML_CONFLICT', `${path}/@netmask`, 'an IPv6 <ip> takes prefix=, not netmask='));
  else if (ipDef.netmask !== undefined && netmaskPrefix(ipDef.netmask) === undefined) {
    out.push(problem('XML_INVALID_VALUE', `${path}/@netmask`, `'${ipDef.netmask}' is not a netmask (ones, then zeros)`));
  }
  if (ipDef.prefix !== undefined && ipDef.prefix > familyBits(addr.family)) {
    out.push(problem('XML_INVALID_VALUE', `${path}/@prefix`, `${ipDef.prefix} is longer than an ${addr.family} address (${familyBits(addr.family)} bits)`));
  }
  if (out.length > 0 || addr.family !== fam) return undefined;
  const ip = resolveIp(ipDef);
  if (!ip) return undefined;
  if (ip.family === 'ipv4' && ip.prefix === 0) out.push(problem('XML_MISSING', path, `'${ipDef.address}' has no classful default netmask: give netmask= or prefix=`));
  else if (ip.family === 'ipv4' && ip.prefix < 31 && (ip.addr.value === ip.subnet.network || ip.addr.value === lastAddress(ip.subnet))) {
    const which = ip.addr.value === ip.subnet.network ? 'network' : 'broadcast';
    out.push(problem('XML_INVALID_VALUE', `${path}/@address`, `'${ipDef.address}' is the ${which} address of ${formatSubnet(ip.subnet)}: the bridge needs a host address (like the first one)`));
  }
  if (ip.family === 'ipv6') {
    if (ipDef.tftp) out.push(problem('XML_CONFLICT', `${path}/tftp`, 'TFTP is served on IPv4 only'));
    if (ipDef.dhcp?.bootp) out.push(problem('XML_CONFLICT', `${path}/dhcp/bootp`, 'BOOTP is IPv4 only'));
  }
  const ranges = ipDef.dhcp?.range ?? [];
  ranges.forEach((r, i) => checkRange(r, ip, `${path}/dhcp/${step('range', i, ranges.length)}`, out));
  checkHosts(ipDef, ip, path, out);
  return ip;
}

/** Problems of the <ip> list; `ips` as parsed, in document order. */
export function ipProblems(ips: readonly IpDef[]): VirtkitError[] {
  const out: VirtkitError[] = [];
  const dhcpBy = new Map<string, number>();
  ips.forEach((ipDef, i) => {
    const path = `/network/${step('ip', i, ips.length)}`;
    const mine: VirtkitError[] = [];
    checkOne(ipDef, path, mine);
    out.push(...mine);
    if (hasDhcp(ipDef)) {
      const fam = ipFamily(ipDef);
      const first = dhcpBy.get(fam);
      if (first !== undefined) out.push(problem('XML_CONFLICT', `${path}/dhcp`, `only one ${fam} <ip> may serve DHCP (ip ${first + 1} does already)`));
      else dhcpBy.set(fam, i);
    }
  });
  return out;
}
