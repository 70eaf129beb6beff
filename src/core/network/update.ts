/**
 * net-update's pure part: add, delete or modify one entry of a network
 * definition, with libvirt's semantics (virNetworkDefUpdateSection) and virsh's
 * command and section names. The result is validated as a whole network; the
 * input is not modified. `dnsmasq` says what the running network needs:
 * 'reload' (SIGHUP: dnsmasq rereads its hosts files and keeps its leases),
 * 'restart' (its configuration file changed) or 'none'.
 */
import { VirtkitError } from '../errors.js';
import type { NetworkDef } from '../xml/network/schema.js';
import { networkProblems } from '../xml/network/validate.js';
import { updateDhcpHost, updateDhcpRange } from './update-dhcp.js';
import { updateDnsHost, updateDnsSrv, updateDnsTxt } from './update-dns.js';
import { updateForwardInterface, updatePortgroup } from './update-other.js';
import type { DnsmasqAction, SectionUpdate } from './update-common.js';
import { updateError } from './update-common.js';

export type { DnsmasqAction } from './update-common.js';

export const UPDATE_COMMANDS = ['add', 'add-first', 'add-last', 'delete', 'modify'] as const;
export type UpdateCommand = (typeof UPDATE_COMMANDS)[number];

/** virsh's section names; those libvirt cannot update either are refused by name. */
export const UPDATE_SECTIONS = ['ip-dhcp-host', 'ip-dhcp-range', 'dns-host', 'dns-txt', 'dns-srv', 'forward-interface', 'portgroup'] as const;
export type UpdateSection = (typeof UPDATE_SECTIONS)[number];
const NOT_UPDATABLE = ['bridge', 'domain', 'ip', 'forward', 'forward-pf'];

export interface NetworkUpdate {
  command: string;
  section: string;
  /** Which <ip> (0-based) for ip-dhcp-host and ip-dhcp-range; absent or -1: the one serving DHCP. */
  parentIndex?: number;
  /** The entry's XML: <host>, <range>, <txt>, <srv>, <interface>, <portgroup>. */
  xml: string;
}

export interface NetworkUpdateResult {
  def: NetworkDef;
  dnsmasq: DnsmasqAction;
}

export function applyNetworkUpdate(input: NetworkDef, u: NetworkUpdate): NetworkUpdateResult {
  if (!(UPDATE_COMMANDS as readonly string[]).includes(u.command)) {
    throw new VirtkitError('INVALID_ARGUMENT', `'${u.command}' is not a net-update command (${UPDATE_COMMANDS.join(', ')})`, { details: { command: u.command } });
  }
  if (NOT_UPDATABLE.includes(u.section)) {
    throw updateError('UNSUPPORTED_OPERATION', input, u.section, `this section cannot be updated in place; change it with net-edit (updatable: ${UPDATE_SECTIONS.join(', ')})`);
  }
  if (!(UPDATE_SECTIONS as readonly string[]).includes(u.section)) {
    throw new VirtkitError('INVALID_ARGUMENT', `'${u.section}' is not a net-update section (${UPDATE_SECTIONS.join(', ')})`, { details: { section: u.section } });
  }
  const cmd = u.command as UpdateCommand;
  const s: SectionUpdate = {
    def: structuredClone(input),
    command: cmd === 'delete' ? 'delete' : cmd === 'modify' ? 'modify' : 'add',
    first: cmd === 'add-first',
    parentIndex: u.parentIndex ?? -1,
    xml: u.xml,
  };
  let dnsmasq: DnsmasqAction;
  switch (u.section as UpdateSection) {
    case 'ip-dhcp-host': dnsmasq = updateDhcpHost(s); break;
    case 'ip-dhcp-range': dnsmasq = updateDhcpRange(s); break;
    case 'dns-host': dnsmasq = updateDnsHost(s); break;
    case 'dns-txt': dnsmasq = updateDnsTxt(s); break;
    case 'dns-srv': dnsmasq = updateDnsSrv(s); break;
    case 'forward-interface': dnsmasq = updateForwardInterface(s); break;
    case 'portgroup': dnsmasq = updatePortgroup(s); break;
  }
  // An entry's removal leaves no empty <dhcp/> or <dns/> behind.
  for (const ip of s.def.ip ?? []) if (ip.dhcp && Object.keys(ip.dhcp).length === 0) delete ip.dhcp;
  if (s.def.dns && Object.keys(s.def.dns).length === 0) delete s.def.dns;
  const [problem] = networkProblems(s.def);
  if (problem) throw problem;
  return { def: s.def, dnsmasq };
}
