/** net-update dns-host, dns-txt and dns-srv (libvirt's virNetworkDefUpdateDNSHost/Txt/Srv): add or delete, never modify. */
import { parseIp } from '../xml/network/address.js';
import { ipType } from '../xml/network/address.js';
import { parseNetworkElement } from '../xml/network/parse.js';
import type { DnsHost, DnsSrv, DnsTxt } from '../xml/network/schema.js';
import { dnsSrvSpec, dnsTxtSpec } from '../xml/network/schema.js';
import { attr, elem, many, text } from '../xml/schema.js';
import { token } from '../xml/values.js';
import type { DnsmasqAction, SectionUpdate } from './update-common.js';
import { insert, updateError } from './update-common.js';

/** A <host> to delete may give its ip= or its hostnames or both. */
const partialHostSpec = elem({ attrs: { ip: attr(ipType) }, children: { hostname: many(text(token)) } });

function noModify(s: SectionUpdate, section: string, what: string): void {
  if (s.command === 'modify') throw updateError('UNSUPPORTED_OPERATION', s.def, section, `${what} cannot be modified, only added or deleted`);
}

const sameIp = (a: string | undefined, b: string): boolean => {
  const x = a === undefined ? undefined : parseIp(a);
  const y = parseIp(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.value === y.value;
};

export function updateDnsHost(s: SectionUpdate): DnsmasqAction {
  const section = 'dns-host';
  noModify(s, section, 'a DNS host');
  const host = parseNetworkElement<{ ip?: string; hostname?: string[] }>(partialHostSpec, s.xml, 'host');
  const dns = (s.def.dns ??= {});
  const hosts = dns.host ?? [];
  const names = host.hostname ?? [];
  const matches = hosts.flatMap((h, i) => (sameIp(host.ip, h.ip) || names.some((n) => (h.hostname ?? []).includes(n)) ? [i] : []));
  if (s.command === 'add') {
    if (host.ip === undefined) throw updateError('OPERATION_INVALID', s.def, section, "a DNS host to add needs ip='...'");
    if (matches.length > 0) throw updateError('OPERATION_INVALID', s.def, section, `a DNS host with the address ${host.ip} or one of its names exists already`);
    dns.host = insert(dns.host, host as DnsHost, s.first);
  } else {
    if (matches.length === 0) throw updateError('OPERATION_INVALID', s.def, section, 'no DNS host matches the address or names given');
    if (matches.length > 1) throw updateError('OPERATION_INVALID', s.def, section, `${matches.length} DNS hosts match: give both the address and the names`);
    dns.host = hosts.filter((_, j) => j !== matches[0]);
    if (dns.host.length === 0) delete dns.host;
  }
  return 'reload';
}

export function updateDnsTxt(s: SectionUpdate): DnsmasqAction {
  const section = 'dns-txt';
  noModify(s, section, 'a DNS TXT record');
  const txt = parseNetworkElement<DnsTxt>(dnsTxtSpec, s.xml, 'txt');
  const dns = (s.def.dns ??= {});
  const txts = dns.txt ?? [];
  const i = txts.findIndex((t) => t.name === txt.name);
  if (s.command === 'add') {
    if (i >= 0) throw updateError('OPERATION_INVALID', s.def, section, `a DNS TXT record named '${txt.name}' exists already`);
    dns.txt = insert(dns.txt, txt, s.first);
  } else {
    if (i < 0) throw updateError('OPERATION_INVALID', s.def, section, `no DNS TXT record is named '${txt.name}'`);
    dns.txt = txts.filter((_, j) => j !== i);
    if (dns.txt.length === 0) delete dns.txt;
  }
  return 'restart';
}

export function updateDnsSrv(s: SectionUpdate): DnsmasqAction {
  const section = 'dns-srv';
  noModify(s, section, 'a DNS SRV record');
  const srv = parseNetworkElement<DnsSrv>(dnsSrvSpec, s.xml, 'srv');
  const dns = (s.def.dns ??= {});
  const srvs = dns.srv ?? [];
  // Every field given must match (libvirt's rule).
  const keys = ['service', 'protocol', 'domain', 'target', 'port', 'priority', 'weight'] as const;
  const matches = srvs.flatMap((x, i) => (keys.every((k) => srv[k] === undefined || srv[k] === x[k]) ? [i] : []));
  if (s.command === 'add') {
    if (matches.length > 0) throw updateError('OPERATION_INVALID', s.def, section, `a DNS SRV record matching _${srv.service}._${srv.protocol} and every field given exists already`);
    dns.srv = insert(dns.srv, srv, s.first);
  } else {
    if (matches.length === 0) throw updateError('OPERATION_INVALID', s.def, section, `no DNS SRV record matches _${srv.service}._${srv.protocol} and every field given`);
    if (matches.length > 1) throw updateError('OPERATION_INVALID', s.def, section, `${matches.length} DNS SRV records match: give more fields`);
    dns.srv = srvs.filter((_, j) => j !== matches[0]);
    if (dns.srv.length === 0) delete dns.srv;
  }
  return 'restart';
}
