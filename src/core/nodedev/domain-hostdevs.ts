/**
 * The host PCI devices a domain definition takes: every <hostdev mode='subsystem' type='pci'>
 * and every <interface type='hostdev'> (an SR-IOV VF), with whether virtkit detaches and
 * reattaches it itself (managed='yes'; libvirt's default is no) and, for an interface, the MAC
 * and VLAN to set on the VF through its PF. Pure.
 */
import type { DomainDef } from '../xml/domain/schema/domain.js';
import { sysfsAddressOfXml } from './pci-address.js';

export interface DomainPciDevice {
  /** Sysfs address (0000:03:10.2). */
  readonly address: string;
  readonly managed: boolean;
  /** Where in the XML, for messages. */
  readonly where: string;
  /** Set for an <interface type='hostdev'>: its MAC and (single) VLAN tag. */
  readonly vf?: { readonly mac: string | undefined; readonly vlan: number | undefined };
}

export function domainPciDevices(def: DomainDef): DomainPciDevice[] {
  const out: DomainPciDevice[] = [];
  (def.devices?.hostdev ?? []).forEach((h, i) => {
    const a = h.source?.address;
    if (h.type !== 'pci' || a === undefined) return;
    out.push({ address: sysfsAddressOfXml(a), managed: h.managed === true, where: `/domain/devices/hostdev[${i + 1}]` });
  });
  (def.devices?.interface ?? []).forEach((n, i) => {
    const a = n.source?.hostAddress;
    if (n.type !== 'hostdev' || a === undefined) return;
    out.push({
      address: sysfsAddressOfXml(a), managed: n.managed === true, where: `/domain/devices/interface[${i + 1}]`,
      vf: { mac: n.mac?.address, vlan: n.vlan?.tag?.[0]?.id },
    });
  });
  return out;
}
