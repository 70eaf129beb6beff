/**
 * Step 3: rules the schema cannot say element by element. The forward mode
 * decides what a network may have: a network virtkit runs on its own bridge
 * (no <forward>, nat, route, open) has addresses, DHCP and DNS; one that uses
 * a host's bridge or NICs (bridge, private, vepa, passthrough, hostdev) has
 * none of those. `networkProblems` lists every problem, `validateNetwork`
 * throws the first. <ip> rules are in validate-ip.ts.
 */
import type { VirtkitError } from '../../errors.js';
import { parseIp } from './address.js';
import { linkProblems } from './validate-link.js';
import { ipProblems } from './validate-ip.js';
import { ifnameProblem, problem, step } from './problems.js';
import type { ForwardMode, NetworkDef } from './schema.js';

/** Modes where virtkit makes the bridge and runs dnsmasq (undefined: isolated, no <forward>). */
export function managesBridge(mode: ForwardMode | undefined): boolean {
  return mode === undefined || mode === 'nat' || mode === 'route' || mode === 'open';
}

/** The forward mode a network runs in: <forward> without mode= is NAT (libvirt's); no <forward> is isolated (undefined). */
export function forwardMode(def: NetworkDef): ForwardMode | undefined {
  return def.forward === undefined ? undefined : (def.forward.mode ?? 'nat');
}

function checkManaged(def: NetworkDef, mode: ForwardMode | undefined, out: VirtkitError[]): void {
  const f = def.forward;
  if (def.virtualport) out.push(problem('XML_CONFLICT', '/network/virtualport', `a <virtualport> belongs to a network in forward mode 'bridge', not ${mode ?? 'an isolated one'}`));
  if (def.vlan) out.push(problem('XML_CONFLICT', '/network/vlan', 'VLAN tags need an Open vSwitch bridge (forward bridge + virtualport openvswitch) or hostdev mode'));
  if (f?.nat && mode !== 'nat') out.push(problem('XML_CONFLICT', '/network/forward/nat', `<nat> belongs to forward mode 'nat', not '${String(mode)}'`));
  if ((f?.pf ?? []).length > 0) out.push(problem('XML_CONFLICT', '/network/forward/pf', `<pf> belongs to forward mode passthrough or hostdev, not '${String(mode)}'`));
  if ((f?.address ?? []).length > 0) out.push(problem('XML_CONFLICT', '/network/forward/address', `PCI addresses belong to forward mode hostdev, not '${String(mode)}'`));
  if ((f?.interface ?? []).length > 1) out.push(problem('XML_CONFLICT', '/network/forward/interface[2]', `forward mode '${String(mode)}' leaves through one interface at most`));
  const nat = f?.nat;
  if (nat?.port && (nat.port.start > nat.port.end || nat.port.end > 65535)) out.push(problem('XML_INVALID_VALUE', '/network/forward/nat/port', `${nat.port.start}-${nat.port.end} is not a port range`));
  const na = nat?.address;
  if (na) {
    const s = parseIp(na.start);
    const e = parseIp(na.end);
    if (s?.family !== 'ipv4' || e?.family !== 'ipv4') out.push(problem('XML_INVALID_VALUE', '/network/forward/nat/address', 'NAT addresses are IPv4'));
    else if (s.value > e.value) out.push(problem('XML_INVALID_VALUE', '/network/forward/nat/address', `the range starts (${na.start}) after it ends (${na.end})`));
  }
  const mtu = def.mtu?.size;
  if (mtu !== undefined && (mtu < 68 || mtu > 65535)) out.push(problem('XML_INVALID_VALUE', '/network/mtu/@size', `${mtu} is not an MTU (68 to 65535)`));
  out.push(...ipProblems(def.ip ?? []));
}

function checkUnmanaged(def: NetworkDef, mode: ForwardMode, out: VirtkitError[]): void {
  const why = `a network in forward mode '${mode}' uses the host's ${mode === 'bridge' ? 'bridge' : 'NICs'}; virtkit gives it`;
  if ((def.ip ?? []).length > 0) out.push(problem('XML_CONFLICT', '/network/ip', `${why} no addresses or DHCP`));
  if ((def.route ?? []).length > 0) out.push(problem('XML_CONFLICT', '/network/route', `${why} no routes`));
  if (def.dns) out.push(problem('XML_CONFLICT', '/network/dns', `${why} no DNS`));
  if (def.domain) out.push(problem('XML_CONFLICT', '/network/domain', `${why} no DNS domain`));
  if (def.mac) out.push(problem('XML_CONFLICT', '/network/mac', `${why} no bridge MAC address`));
  if (def.mtu) out.push(problem('XML_CONFLICT', '/network/mtu', `${why} no MTU of its own`));
  if (def.forward?.nat) out.push(problem('XML_CONFLICT', '/network/forward/nat', `<nat> belongs to forward mode 'nat', not '${mode}'`));
  const b = def.bridge;
  if (b && mode !== 'bridge') out.push(problem('XML_CONFLICT', '/network/bridge', `forward mode '${mode}' has no <bridge>: it uses <forward><interface>`));
  if (b && mode === 'bridge') {
    if (b.stp !== undefined || b.delay !== undefined || b.macTableManager !== undefined) {
      out.push(problem('XML_CONFLICT', '/network/bridge', "an existing host bridge is not configured by virtkit: leave out stp=, delay= and macTableManager="));
    }
    if ((def.forward?.interface ?? []).length > 0 || def.forward?.dev !== undefined) {
      out.push(problem('XML_CONFLICT', '/network/forward', 'forward mode bridge names either <bridge name> or <forward dev>/<interface>, not both'));
    }
  }
  if (def.virtualport && mode !== 'bridge' && mode !== 'private' && mode !== 'vepa' && mode !== 'passthrough') {
    out.push(problem('XML_CONFLICT', '/network/virtualport', `forward mode '${mode}' takes no <virtualport>`));
  }
  if (def.virtualport?.type === 'openvswitch' && mode !== 'bridge') out.push(problem('XML_CONFLICT', '/network/virtualport/@type', 'an Open vSwitch virtualport needs forward mode bridge'));
  const ovs = def.virtualport?.type === 'openvswitch';
  if (def.vlan && !ovs && mode !== 'hostdev') out.push(problem('XML_CONFLICT', '/network/vlan', 'VLAN tags need an Open vSwitch bridge (virtualport openvswitch) or hostdev mode'));
  if ((def.forward?.address ?? []).length > 0 && mode !== 'hostdev') out.push(problem('XML_CONFLICT', '/network/forward/address', `PCI addresses belong to forward mode hostdev, not '${mode}'`));
}

function checkVlan(v: NetworkDef['vlan'], path: string, out: VirtkitError[]): void {
  const tags = v?.tag ?? [];
  if (v && tags.length === 0) out.push(problem('XML_MISSING', `${path}/tag`, "a <vlan> needs at least one <tag id='...'/>"));
  tags.forEach((t, i) => {
    if (t.id > 4095) out.push(problem('XML_INVALID_VALUE', `${path}/${step('tag', i, tags.length)}/@id`, `${t.id} is not a VLAN id (0 to 4095)`));
  });
  if (tags.length > 1 && v?.trunk === false) out.push(problem('XML_CONFLICT', `${path}/@trunk`, "several tags make a trunk: trunk='no' cannot have them"));
}

function checkDns(def: NetworkDef, out: VirtkitError[]): void {
  const dns = def.dns;
  if (!dns) return;
  const extra = (dns.host ?? []).length + (dns.srv ?? []).length + (dns.txt ?? []).length + (dns.forwarder ?? []).length;
  if (dns.enable === false && (extra > 0 || dns.forwardPlainNames !== undefined)) {
    out.push(problem('XML_CONFLICT', '/network/dns', "DNS is disabled (enable='no'): it takes no hosts, records, forwarders or forwardPlainNames"));
  }
  const hosts = dns.host ?? [];
  hosts.forEach((h, i) => {
    if ((h.hostname ?? []).length === 0) out.push(problem('XML_MISSING', `/network/dns/${step('host', i, hosts.length)}`, 'a DNS <host> needs at least one <hostname>'));
  });
  const srvs = dns.srv ?? [];
  srvs.forEach((s, i) => {
    const p = `/network/dns/${step('srv', i, srvs.length)}`;
    if (s.protocol !== 'tcp' && s.protocol !== 'udp') out.push(problem('XML_INVALID_VALUE', `${p}/@protocol`, `'${s.protocol}' is not 'tcp' or 'udp'`));
    for (const k of ['port', 'priority', 'weight'] as const) {
      const v = s[k];
      if (v !== undefined && v > 65535) out.push(problem('XML_INVALID_VALUE', `${p}/@${k}`, `${v} is larger than 65535`));
    }
    if (/[\s_]/.test(s.service) || s.service.length > 15) out.push(problem('XML_INVALID_VALUE', `${p}/@service`, `'${s.service}' is not a service name (up to 15 characters, no '_' or blanks)`));
  });
  const txts = dns.txt ?? [];
  txts.forEach((t, i) => {
    const p = `/network/dns/${step('txt', i, txts.length)}`;
    if (/\s/.test(t.name)) out.push(problem('XML_INVALID_VALUE', `${p}/@name`, `'${t.name}' must not contain white space`));
    if (t.value === undefined) out.push(problem('XML_MISSING', p, "a TXT record needs value='...'"));
  });
  const fws = dns.forwarder ?? [];
  fws.forEach((f, i) => {
    if (f.addr === undefined && f.domain === undefined) out.push(problem('XML_MISSING', `/network/dns/${step('forwarder', i, fws.length)}`, "a <forwarder> needs addr= or domain="));
  });
}

function checkPortgroups(def: NetworkDef, out: VirtkitError[]): void {
  const pgs = def.portgroup ?? [];
  const names = new Set<string>();
  let defaults = 0;
  pgs.forEach((pg, i) => {
    const p = `/network/${step('portgroup', i, pgs.length)}`;
    if (names.has(pg.name)) out.push(problem('XML_DUPLICATE', `${p}/@name`, `portgroup '${pg.name}' is defined twice`));
    names.add(pg.name);
    if (pg.default === true && ++defaults === 2) out.push(problem('XML_CONFLICT', `${p}/@default`, 'only one portgroup may be the default'));
    if (pg.vlan) checkVlan(pg.vlan, `${p}/vlan`, out);
  });
}

function checkRoutes(def: NetworkDef, out: VirtkitError[]): void {
  const routes = def.route ?? [];
  routes.forEach((r, i) => {
    const p = `/network/${step('route', i, routes.length)}`;
    const a = parseIp(r.address);
    const g = parseIp(r.gateway);
    if (a && g && a.family !== g.family) out.push(problem('XML_CONFLICT', `${p}/@gateway`, `the gateway ${r.gateway} is not of the route's family`));
    if (r.netmask !== undefined && r.prefix !== undefined) out.push(problem('XML_CONFLICT', p, 'give netmask= or prefix=, not both'));
    if (a && r.prefix !== undefined && r.prefix > (a.family === 'ipv4' ? 32 : 128)) out.push(problem('XML_INVALID_VALUE', `${p}/@prefix`, `${r.prefix} is too long for ${r.address}`));
  });
}

export function networkProblems(def: NetworkDef): VirtkitError[] {
  const out: VirtkitError[] = [];
  if (def.name.includes('/') || def.name === '.' || def.name === '..') out.push(problem('XML_INVALID_VALUE', '/network/name', `'${def.name}' is not a network name (no '/', not '.' or '..')`));
  const br = def.bridge?.name;
  const bad = br === undefined ? undefined : ifnameProblem(br);
  if (bad) out.push(problem('XML_INVALID_VALUE', '/network/bridge/@name', bad));
  const mode = forwardMode(def);
  if (managesBridge(mode)) checkManaged(def, mode, out);
  else if (mode) checkUnmanaged(def, mode, out);
  if (def.vlan) checkVlan(def.vlan, '/network/vlan', out);
  checkDns(def, out);
  checkPortgroups(def, out);
  checkRoutes(def, out);
  if (def.dnsmasqOptions && def.xmlnsDnsmasq === undefined) {
    out.push(problem('XML_MISSING', '/network/@xmlns:dnsmasq', `<dnsmasq:options> needs xmlns:dnsmasq='http://libvirt.org/schemas/network/dnsmasq/1.0' on <network>`));
  }
  out.push(...linkProblems(def));
  return out;
}

export function validateNetwork(def: NetworkDef): void {
  const [first] = networkProblems(def);
  if (first) throw first;
}
