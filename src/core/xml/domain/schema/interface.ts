/** <interface>: every network attachment type. */
import type { Model } from '../../schema.js';
import { attr, elem, many, one, req, text } from '../../schema.js';
import { int, macType, oneOf, onOff, str, token, uint, yesNo } from '../../values.js';
import { addressSpec } from './address.js';
import { aliasSpec, bootSpec, hostSourceAddressSpec, romSpec, uintStr, virtioDriverAttrs } from './common.js';

const virtualportSpec = elem({
  attrs: { type: attr(oneOf('openvswitch', '802.1Qbg', '802.1Qbh', 'midonet')) },
  children: {
    parameters: one(
      elem({
        attrs: {
          interfaceid: attr(token),
          profileid: attr(token),
          managerid: attr(uintStr),
          typeid: attr(uintStr),
          typeidversion: attr(uintStr),
          instanceid: attr(token),
        },
      }),
    ),
  },
});

export const interfaceSpec = elem({
  attrs: {
    type: req(oneOf('network', 'bridge', 'user', 'ethernet', 'direct', 'hostdev', 'vhostuser', 'server', 'client', 'mcast', 'udp', 'vdpa')),
    managed: attr(yesNo),
    trustGuestRxFilters: attr(yesNo),
  },
  children: {
    mac: one(elem({ attrs: { address: req(macType), type: attr(oneOf('generated', 'static')), check: attr(yesNo) } })),
    source: one(
      elem({
        attrs: {
          network: attr(token),
          portgroup: attr(token),
          portid: attr(token),
          bridge: attr(token),
          dev: attr(token),
          mode: attr(oneOf('vepa', 'bridge', 'private', 'passthrough', 'client', 'server')),
          type: attr(oneOf('unix')),
          path: attr(str),
          address: attr(token),
          port: attr(uint),
        },
        children: { hostAddress: one(hostSourceAddressSpec, 'address') },
      }),
    ),
    virtualport: one(virtualportSpec),
    ip: many(elem({ attrs: { address: req(token), family: attr(oneOf('ipv4', 'ipv6')), prefix: attr(uint), peer: attr(token) } })),
    script: one(elem({ attrs: { path: req(str) } })),
    downscript: one(elem({ attrs: { path: req(str) } })),
    target: one(elem({ attrs: { dev: req(token), managed: attr(yesNo) } })),
    model: one(elem({ attrs: { type: req(token) } })),
    driver: one(
      elem({
        attrs: {
          name: attr(oneOf('qemu', 'vhost')),
          txmode: attr(oneOf('iothread', 'timer')),
          ioeventfd: attr(onOff),
          event_idx: attr(onOff),
          queues: attr(uint),
          rx_queue_size: attr(uint),
          tx_queue_size: attr(uint),
          rss: attr(onOff),
          ...virtioDriverAttrs,
        },
      }),
    ),
    tune: one(elem({ children: { sndbuf: one(text(uint)) } })),
    vlan: one(elem({ attrs: { trunk: attr(yesNo) }, children: { tag: many(elem({ attrs: { id: req(uint), nativeMode: attr(oneOf('tagged', 'untagged')) } })) } })),
    link: one(elem({ attrs: { state: req(oneOf('up', 'down')) } })),
    mtu: one(elem({ attrs: { size: req(uint) } })),
    boot: one(bootSpec),
    rom: one(romSpec),
    coalesce: one(elem({ children: { rx: one(elem({ children: { frames: one(elem({ attrs: { max: req(uint) } })) } })) } })),
    alias: one(aliasSpec),
    address: one(addressSpec),
    acpi: one(elem({ attrs: { index: req(int) } })),
  },
});

export type InterfaceDef = Model<typeof interfaceSpec>;
