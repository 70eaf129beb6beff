/**
 * <network>: libvirt's virtual network XML, on the declarative schema machinery
 * (../schema.ts). Children are listed in the order libvirt formats them
 * (virNetworkDefFormatBuf). Rules across elements (forward mode vs <ip>, DHCP
 * ranges inside their subnet...) are in validate.ts.
 */
import type { Model } from '../schema.js';
import { attr, elem, many, one, req, reqOne, text, raw } from '../schema.js';
import { hex, macType, oneOf, onOff, str, token, uint, uuidType, yesNo } from '../values.js';
import { ipType } from './address.js';
import { linkSpec } from './link-schema.js';

export const FORWARD_MODES = ['nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const;
export type ForwardMode = (typeof FORWARD_MODES)[number];

export const DNSMASQ_XMLNS = 'http://libvirt.org/schemas/network/dnsmasq/1.0';
export const VIRTKIT_NETWORK_XMLNS = 'https://virtkit.dev/xmlns/network/1';

const LEASE_UNITS = ['seconds', 'minutes', 'hours'] as const;
export const leaseSpec = elem({ attrs: { expiry: req(uint), unit: attr(oneOf(...LEASE_UNITS)) } });
export type LeaseDef = Model<typeof leaseSpec>;

export const rangeSpec = elem({ attrs: { start: req(ipType), end: req(ipType) }, children: { lease: one(leaseSpec) } });
export const dhcpHostSpec = elem({
  attrs: { mac: attr(macType), id: attr(token), name: attr(token), ip: attr(ipType) },
  children: { lease: one(leaseSpec) },
});
export type DhcpRange = Model<typeof rangeSpec>;
export type DhcpHost = Model<typeof dhcpHostSpec>;

const dhcpSpec = elem({
  children: {
    range: many(rangeSpec),
    host: many(dhcpHostSpec),
    bootp: one(elem({ attrs: { file: req(token), server: attr(token) } })),
  },
});

export const ipSpec = elem({
  attrs: {
    family: attr(oneOf('ipv4', 'ipv6')),
    address: attr(ipType),
    netmask: attr(ipType),
    prefix: attr(uint),
    localPtr: attr(yesNo),
  },
  children: {
    dhcp: one(dhcpSpec),
    tftp: one(elem({ attrs: { root: req(token) } })),
  },
});
export type IpDef = Model<typeof ipSpec>;

export const dnsHostSpec = elem({ attrs: { ip: req(ipType) }, children: { hostname: many(text(token)) } });
export const dnsTxtSpec = elem({ attrs: { name: req(token), value: attr(str) } });
export const dnsSrvSpec = elem({
  attrs: {
    service: req(token),
    protocol: req(token),
    domain: attr(token),
    target: attr(token),
    port: attr(uint),
    priority: attr(uint),
    weight: attr(uint),
  },
});
export type DnsHost = Model<typeof dnsHostSpec>;
export type DnsTxt = Model<typeof dnsTxtSpec>;
export type DnsSrv = Model<typeof dnsSrvSpec>;

const dnsSpec = elem({
  attrs: { enable: attr(yesNo), forwardPlainNames: attr(yesNo) },
  children: {
    forwarder: many(elem({ attrs: { addr: attr(ipType), domain: attr(token) } })),
    txt: many(dnsTxtSpec),
    srv: many(dnsSrvSpec),
    host: many(dnsHostSpec),
  },
});
export type DnsDef = Model<typeof dnsSpec>;

export const vlanSpec = elem({
  attrs: { trunk: attr(yesNo) },
  children: { tag: many(elem({ attrs: { id: req(uint), nativeMode: attr(oneOf('tagged', 'untagged')) } })) },
});

export const virtualportSpec = elem({
  attrs: { type: attr(oneOf('openvswitch', '802.1Qbh', '802.1Qbg', 'midonet')) },
  children: {
    parameters: one(
      elem({ attrs: { interfaceid: attr(uuidType), profileid: attr(token), managerid: attr(uint), typeid: attr(uint), typeidversion: attr(uint), instanceid: attr(uuidType) } }),
    ),
  },
});

const rateSpec = elem({ attrs: { average: attr(uint), peak: attr(uint), burst: attr(uint), floor: attr(uint) } });
export const bandwidthSpec = elem({ children: { inbound: one(rateSpec), outbound: one(rateSpec) } });

export const portgroupSpec = elem({
  attrs: { name: req(token), default: attr(yesNo), trustGuestRxFilters: attr(yesNo) },
  children: { vlan: one(vlanSpec), virtualport: one(virtualportSpec), bandwidth: one(bandwidthSpec) },
});
export type PortgroupDef = Model<typeof portgroupSpec>;

const natSpec = elem({
  attrs: { ipv6: attr(yesNo) },
  children: {
    address: one(elem({ attrs: { start: req(ipType), end: req(ipType) } })),
    port: one(elem({ attrs: { start: req(uint), end: req(uint) } })),
  },
});

const pciAddressSpec = elem({
  attrs: { type: req(oneOf('pci')), domain: attr(hex(4)), bus: attr(hex(2)), slot: attr(hex(2)), function: attr(hex(1)) },
});

export const forwardInterfaceSpec = elem({ attrs: { dev: req(token), connections: attr(uint) } });
export type ForwardInterface = Model<typeof forwardInterfaceSpec>;

export const forwardSpec = elem({
  attrs: { dev: attr(token), mode: attr(oneOf(...FORWARD_MODES)), managed: attr(yesNo) },
  children: {
    nat: one(natSpec),
    driver: one(elem({ attrs: { name: req(oneOf('kvm', 'vfio')) } })),
    pf: many(elem({ attrs: { dev: req(token) } })),
    interface: many(forwardInterfaceSpec),
    address: many(pciAddressSpec),
  },
});

const routeSpec = elem({
  attrs: { family: attr(oneOf('ipv4', 'ipv6')), address: req(ipType), netmask: attr(ipType), prefix: attr(uint), gateway: req(ipType), metric: attr(uint) },
});
export type RouteDef = Model<typeof routeSpec>;

const dnsmasqOptionsSpec = elem({ children: { option: many(elem({ attrs: { value: req(str) } }), 'dnsmasq:option') } });

export const networkSpec = elem({
  attrs: {
    ipv6: attr(yesNo),
    trustGuestRxFilters: attr(yesNo),
    xmlnsDnsmasq: attr(oneOf(DNSMASQ_XMLNS), 'xmlns:dnsmasq'),
    xmlnsVirtkit: attr(oneOf(VIRTKIT_NETWORK_XMLNS), 'xmlns:virtkit'),
  },
  children: {
    name: reqOne(text(token)),
    uuid: one(text(uuidType)),
    title: one(text(str)),
    description: one(text(str)),
    metadata: one(raw),
    forward: one(forwardSpec),
    bridge: one(
      elem({ attrs: { name: attr(token), stp: attr(onOff), delay: attr(uint), macTableManager: attr(oneOf('kernel', 'libvirt')), zone: attr(token) } }),
    ),
    mac: one(elem({ attrs: { address: req(macType) } })),
    mtu: one(elem({ attrs: { size: req(uint) } })),
    domain: one(elem({ attrs: { name: req(token), localOnly: attr(yesNo), register: attr(yesNo) } })),
    dns: one(dnsSpec),
    virtualport: one(virtualportSpec),
    vlan: one(vlanSpec),
    bandwidth: one(bandwidthSpec),
    ip: many(ipSpec),
    route: many(routeSpec),
    portgroup: many(portgroupSpec),
    dnsmasqOptions: one(dnsmasqOptionsSpec, 'dnsmasq:options'),
    link: many(linkSpec, 'virtkit:link'),
  },
});
export type NetworkDef = Model<typeof networkSpec>;
