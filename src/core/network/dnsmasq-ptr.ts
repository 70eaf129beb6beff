/**
 * <ip localPtr='yes'>: dnsmasq answers reverse (PTR) queries for the
 * network's own subnet itself and never forwards them: `local=/REVERSE-ZONE/`.
 * The zone exists only on an octet (IPv4) or nibble (IPv6) boundary, as in libvirt.
 */
import { VirtkitError } from '../errors.js';
import { familyBits } from '../xml/network/address.js';
import { resolveIp } from '../xml/network/ipdef.js';
import type { IpDef } from '../xml/network/schema.js';

export function localPtrOptions(ips: readonly IpDef[]): string[] {
  const out: string[] = [];
  ips.forEach((ipDef, i) => {
    if (ipDef.localPtr !== true) return;
    const ip = resolveIp(ipDef);
    if (!ip) return;
    const step = ip.family === 'ipv4' ? 8 : 4;
    const path = ips.length > 1 ? `/network/ip[${i + 1}]/@localPtr` : '/network/ip/@localPtr';
    if (ip.prefix % step !== 0) {
      throw new VirtkitError('XML_UNSUPPORTED', `${path}: a local PTR zone needs a prefix that is a multiple of ${step} (this one is /${ip.prefix})`, { details: { path } });
    }
    const bits = familyBits(ip.family);
    const parts: string[] = [];
    for (let b = 0; b < ip.prefix; b += step) {
      parts.push(String((ip.subnet.network >> BigInt(bits - b - step)) & BigInt((1 << step) - 1)));
    }
    const labels = ip.family === 'ipv4' ? parts : parts.map((p) => Number(p).toString(16));
    out.push(`local=/${labels.reverse().join('.')}.${ip.family === 'ipv4' ? 'in-addr' : 'ip6'}.arpa/`);
  });
  return out;
}
