/**
 * A network's dnsmasq configuration, as libvirt writes it (its order, its
 * options), plus the few options virtkit needs at run time. Pure: the caller
 * gives the paths and dnsmasq's version; the host side writes the files and
 * starts `dnsmasq --conf-file=CONF`.
 *
 * Run-time options virtkit adds to libvirt's (docs/network-xml.md):
 * - pid-file=   the daemon finds and supervises dnsmasq by it (libvirt writes one too;
 *               its test harness does not);
 * - dhcp-leasefile=  where dnsmasq keeps its leases, read by net-dhcp-leases and
 *               domifaddr (libvirt hands leases to a helper script instead);
 * - no-ping     (when serving DHCP) dnsmasq otherwise pings an address and waits up to
 *               3 s for an answer before offering it: most of libvirt's slow first lease.
 *               Addresses stay safe: the range is the network's own, dnsmasq is the only
 *               DHCP server on the bridge and the lease file survives restarts;
 * - log-facility=  only when a log file is given.
 */
import { VirtkitError } from '../errors.js';
import { formatIp, parseIp, prefixNetmask } from '../xml/network/address.js';
import { hasDhcp, ipFamily, resolveIp } from '../xml/network/ipdef.js';
import type { NetworkDef } from '../xml/network/schema.js';
import { forwardMode, managesBridge } from '../xml/network/validate.js';
import { addnHostsFile, dhcpHostsFile, dnsmasqLeaseTime } from './dnsmasq-hosts.js';
import { localPtrOptions } from './dnsmasq-ptr.js';

export interface DnsmasqPaths {
  pidFile: string;
  leaseFile: string;
  hostsFile: string;
  addnHostsFile: string;
  logFile?: string;
}

/** Where a network's dnsmasq files go in STATEDIR: NAME.conf, .pid, .leases, .hostsfile, .addnhosts. */
export function dnsmasqPaths(stateDir: string, name: string): DnsmasqPaths & { confFile: string } {
  const p = (ext: string): string => `${stateDir}/${name}.${ext}`;
  return { confFile: p('conf'), pidFile: p('pid'), leaseFile: p('leases'), hostsFile: p('hostsfile'), addnHostsFile: p('addnhosts') };
}

export interface DnsmasqCaps {
  /** `dnsmasq --version`'s number, like '2.90'. */
  version: string;
}

/** libvirt's minimum (bind-dynamic, DHCPv6, router advertisements and ra-param all work from it). */
export const DNSMASQ_MIN_VERSION = '2.67';

export interface DnsmasqConfig {
  /** The configuration file's text, exactly as it is to be written. */
  conf: string;
  /** The dhcp-hostsfile's text; null when the network serves no DHCP (no file, no option). */
  hostsFile: string | null;
  /** The addn-hosts file's text; null when DNS is disabled. */
  addnHosts: string | null;
}

function versionAtLeast(v: string, min: string): boolean {
  const a = v.split('.').map(Number);
  const b = min.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    if (x !== y) return x > y;
  }
  return true;
}

const canon = (ip: string): string => formatIp(parseIp(ip) ?? { family: 'ipv4', value: 0n });

function srvLine(s: NonNullable<NonNullable<NetworkDef['dns']>['srv']>[number]): string {
  let line = `srv-host=_${s.service}._${s.protocol}`;
  if (s.domain !== undefined) line += `.${s.domain}`;
  if (s.target !== undefined && s.target !== '.') {
    line += `,${s.target}`;
    const { port, priority, weight } = s;
    if (port || priority || weight) line += `,${port || 1}`;
    if (priority || weight) line += `,${priority ?? 0}`;
    if (weight) line += `,${weight}`;
  }
  return line;
}

/** The network's dnsmasq configuration and host files. The def is prepared and valid (bridge name set). */
export function dnsmasqConfig(def: NetworkDef, paths: DnsmasqPaths, caps: DnsmasqCaps): DnsmasqConfig {
  const mode = forwardMode(def);
  if (!managesBridge(mode)) {
    throw new VirtkitError('OPERATION_INVALID', `network '${def.name}' in forward mode '${String(mode)}' runs no dnsmasq`, { details: { network: def.name } });
  }
  const bridge = def.bridge?.name;
  if (bridge === undefined) throw new VirtkitError('XML_MISSING', `/network/bridge/@name: network '${def.name}' has no bridge name yet`, { details: { path: '/network/bridge/@name' } });
  if (!versionAtLeast(caps.version, DNSMASQ_MIN_VERSION)) {
    throw new VirtkitError('HOST_UNSUPPORTED', `dnsmasq ${caps.version} is too old: virtkit needs ${DNSMASQ_MIN_VERSION} or later`, { details: { version: caps.version } });
  }
  const dns = def.dns;
  const wantDns = dns?.enable !== false;
  const o: string[] = [];
  o.push('strict-order');
  if (!wantDns) o.push('port=0');
  if (wantDns && (dns?.forwarder ?? []).length > 0) {
    let noResolv = false;
    for (const f of dns?.forwarder ?? []) {
      const dom = f.domain === undefined ? '' : `/${f.domain}/`;
      if (f.addr !== undefined) {
        o.push(`server=${dom}${canon(f.addr)}`);
        if (f.domain === undefined) noResolv = true;
      } else o.push(`server=${dom}#`);
    }
    if (noResolv) o.push('no-resolv');
  }
  if (def.domain) {
    if (def.domain.localOnly === true) o.push(`local=/${def.domain.name}/`);
    o.push(`domain=${def.domain.name}`, 'expand-hosts');
  }
  if (wantDns) o.push(...localPtrOptions(def.ip ?? []));
  if (wantDns && dns?.forwardPlainNames === false) o.push('domain-needed', 'local=//');
  o.push(`pid-file=${paths.pidFile}`);
  o.push('except-interface=lo', 'bind-dynamic', `interface=${bridge}`);
  if (mode === undefined) o.push('dhcp-option=3', 'no-resolv', 'ra-param=*,0,0');
  if (wantDns) {
    for (const t of dns?.txt ?? []) o.push(`txt-record=${t.name},${t.value ?? ''}`);
    for (const s of dns?.srv ?? []) o.push(srvLine(s));
  }
  const ips = def.ip ?? [];
  const v4 = ips.find((ip) => ipFamily(ip) === 'ipv4' && hasDhcp(ip));
  const v6 = ips.find((ip) => ipFamily(ip) === 'ipv6' && hasDhcp(ip));
  const tftp = ips.find((ip) => ipFamily(ip) === 'ipv4' && ip.tftp !== undefined);
  if (tftp?.tftp) o.push('enable-tftp', `tftp-root=${tftp.tftp.root}`);
  let leases = 0n;
  for (const ipDef of [v4, v6]) {
    if (!ipDef) continue;
    const ip = resolveIp(ipDef);
    if (!ip) throw new VirtkitError('XML_INVALID_VALUE', `/network/ip: '${String(ipDef.address)}' is not a usable address`, { details: { path: '/network/ip' } });
    for (const r of ipDef.dhcp?.range ?? []) {
      const mask = ip.family === 'ipv6' ? String(ip.prefix) : prefixNetmask(ip.prefix);
      const lease = dnsmasqLeaseTime(r.lease);
      o.push(`dhcp-range=${canon(r.start)},${canon(r.end)},${mask}${lease === undefined ? '' : `,${lease}`}`);
      leases += (parseIp(r.end)?.value ?? 0n) - (parseIp(r.start)?.value ?? 0n) + 1n;
    }
    if ((ipDef.dhcp?.range ?? []).length === 0) o.push(`dhcp-range=${formatIp(ip.addr)},static${ip.family === 'ipv6' ? `,${ip.prefix}` : ''}`);
    if (ip.family === 'ipv4') {
      o.push('dhcp-no-override', 'dhcp-authoritative');
      const bootp = ipDef.dhcp?.bootp;
      if (bootp) o.push(`dhcp-boot=${bootp.file}${bootp.server === undefined ? '' : `,,${bootp.server}`}`);
    }
  }
  const dhcp = v4 !== undefined || v6 !== undefined;
  if (leases > 0n) o.push(`dhcp-lease-max=${leases > 2147483647n ? 2147483647n : leases}`);
  if (dhcp) o.push(`dhcp-hostsfile=${paths.hostsFile}`, `dhcp-leasefile=${paths.leaseFile}`, 'no-ping');
  if (wantDns) o.push(`addn-hosts=${paths.addnHostsFile}`);
  if (def.mtu) o.push(`dhcp-option=option:mtu,${def.mtu.size}`);
  if (v6) o.push('enable-ra');
  else for (const ip of ips) if (ipFamily(ip) === 'ipv6' && ip.address !== undefined) o.push(`dhcp-range=${canon(ip.address)},ra-only`);
  for (const opt of def.dnsmasqOptions?.option ?? []) o.push(opt.value);
  if (paths.logFile !== undefined) o.push(`log-facility=${paths.logFile}`);
  const head = [
    '##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE',
    '##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:',
    `##    virtkit net-edit ${def.name}`,
    '##',
    '## dnsmasq conf file created by virtkit',
  ];
  return {
    conf: [...head, ...o].map((l) => `${l}\n`).join(''),
    hostsFile: dhcp ? dhcpHostsFile([v4, v6].filter((x) => x !== undefined)) : null,
    addnHosts: wantDns ? addnHostsFile(dns?.host ?? []) : null,
  };
}
