/**
 * The virtual network API's bodies and answers, as strict valibot schemas; schemas.ts
 * re-exports them and adds them to its named components.
 */
import * as v from 'valibot';

/** Named schemas of this module; schemas.ts adds them to `apiSchemas`. */
export const networkSchemas = new Map<v.GenericSchema, { readonly id: string; readonly description: string }>();

const named = <T extends v.GenericSchema>(id: string, description: string, schema: T): T => {
  networkSchemas.set(schema, { id, description });
  return schema;
};
const described = <T extends v.GenericSchema>(schema: T, text: string) => v.pipe(schema, v.description(text));
const str = v.string();
const bool = v.boolean();
const nonEmpty = v.pipe(v.string(), v.minLength(1));

export const NetworkInfo = named('NetworkInfo', 'A virtual network as net-list and net-info show it', v.strictObject({
  name: str,
  uuid: v.pipe(str, v.uuid()),
  active: bool,
  persistent: bool,
  autostart: bool,
  bridge: described(v.nullable(str), 'Its bridge (virbrN when the definition named none); null for a network on no bridge of its own'),
  forward: described(str, "Forward mode: nat, route, open, bridge...; 'isolated' without <forward>"),
}));

export const NetworkList = named('NetworkList', 'Virtual networks, sorted by name', v.strictObject({ networks: v.array(NetworkInfo) }));

export const NetworkDefineResult = named('NetworkDefineResult', 'A network definition stored', v.strictObject({
  network: NetworkInfo,
  created: described(bool, 'false when an existing definition was replaced'),
}));

export const NetworkXmlBody = named('NetworkXmlRequest', 'Network XML (net-define, net-create)', v.strictObject({
  xml: described(nonEmpty, 'libvirt network XML'),
}));

export const NetworkStartPlan = named('NetworkStartPlan', 'What net-start would do on the host (net-start --dry-run)', v.strictObject({
  network: str,
  bridge: str,
  commands: described(v.array(v.array(str)), 'The iproute2 commands, in order, as argv arrays'),
  nftRuleset: described(str, "The network's nftables table, as the text of one nft -f transaction ('' for forward mode open)"),
  dnsmasqConf: described(str, "dnsmasq's configuration file, exactly as it is written"),
  hostsFile: described(v.nullable(str), 'The dhcp-hostsfile; null when the network serves no DHCP'),
  addnHosts: described(v.nullable(str), 'The addn-hosts file; null when DNS is off'),
  dnsmasqArgv: v.array(str),
  files: described(v.record(str, str), 'Where the files go (confFile, pidFile, leaseFile, hostsFile, addnHostsFile)'),
}));

export const NetworkLinkBody = named('NetworkLinkRequest', 'net-link: join the network to another one with a veth pair (kept in its definition)', v.strictObject({
  peer: described(nonEmpty, 'The other network (name or UUID)'),
  dev: v.optional(described(nonEmpty, "The host end's name on this network's bridge (default: vkl and 8 hex digits); the other end is it with a 'p'")),
}));

export const NetworkUnlinkBody = named('NetworkUnlinkRequest', 'net-unlink: remove a veth link of the network (from the host and its definition)', v.strictObject({
  dev: described(nonEmpty, "The link's host end on this network's bridge"),
}));

export const NetworkUpdateBody = named('NetworkUpdateRequest', 'net-update: one change to one section', v.strictObject({
  command: described(v.picklist(['add', 'add-first', 'add-last', 'delete', 'modify']), 'What to do'),
  section: described(v.picklist(['ip-dhcp-host', 'ip-dhcp-range', 'dns-host', 'dns-txt', 'dns-srv', 'forward-interface', 'portgroup']), 'Which part of the definition'),
  xml: described(nonEmpty, 'The entry (<host>, <range>, <txt>, <srv>, <interface>, <portgroup>)'),
  parentIndex: v.optional(described(v.pipe(v.number(), v.safeInteger(), v.minValue(-1)), 'Which <ip> (0-based) for ip-dhcp-*')),
  live: v.optional(described(bool, 'Change the running network (hosts files rewritten, dnsmasq reloaded, leases kept)')),
  config: v.optional(described(bool, 'Change the persistent definition')),
}));

export const NetworkLease = named('NetworkLease', 'A DHCP lease given by a network\'s dnsmasq', v.strictObject({
  network: str,
  bridge: str,
  expiresAt: described(v.nullable(v.number()), 'Unix seconds; null for an infinite lease'),
  mac: v.nullable(str),
  family: v.picklist(['ipv4', 'ipv6']),
  ip: str,
  prefix: v.number(),
  hostname: v.nullable(str),
  clientId: v.nullable(str),
  iaid: described(v.nullable(str), 'IPv6: the identity association id (decimal, as dnsmasq writes it); null for IPv4'),
}));

export const NetworkLeaseList = named('NetworkLeaseList', 'DHCP leases of a network', v.strictObject({ leases: v.array(NetworkLease) }));

export const DomainIfAddrList = named('DomainIfAddrList', "A running domain's interface addresses (domifaddr)", v.strictObject({
  interfaces: v.array(v.strictObject({
    name: described(str, "The interface's name: its host side (the tap) for the lease and arp sources, the guest's own name (e.g. eth0) for the agent source; '-' when unknown"),
    mac: str,
    addrs: v.array(v.strictObject({ type: v.picklist(['ipv4', 'ipv6']), addr: str, prefix: v.number() })),
  })),
}));
